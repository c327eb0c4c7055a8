import { z } from 'zod';

import { parseDuration } from '../../../config/duration.js';

/** The alert rules, by name. */
export const RULE_NAMES = [
  'review_blocked',
  'bypass_activated',
  'daily_cost_over_budget',
  'failure_rate_over_threshold',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Headers the HTTP client sets itself. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
]);

const int = (min: number, max: number, what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}` });

const duration = (what: string) =>
  z
    .string({ error: `expected ${what} such as "1h" or "30m"` })
    .refine((s) => (parseDuration(s) ?? 0) > 0, {
      error: `expected ${what} such as "1h", "30m" or "7d"`,
    })
    .transform((s) => parseDuration(s) as number);

const price = z.object({
  input: z.number({ error: 'expected USD per million input tokens' }).nonnegative(),
  output: z.number({ error: 'expected USD per million output tokens' }).nonnegative(),
  cache_read: z.number({ error: 'expected USD per million tokens' }).nonnegative().optional(),
  cache_write: z.number({ error: 'expected USD per million tokens' }).nonnegative().optional(),
});

/**
 * `[plugins.webhook]` in vigil.toml; docs/webhooks.md describes every key. Durations are
 * parsed to milliseconds; `failure_rate_window` becomes `{ count }` or `{ ms }`.
 *
 * @example
 * WebhookConfig.parse({ url: 'https://hooks.example.com/vigil' }).max_retries // 5
 */
export const WebhookConfig = z.object({
  url: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'required: the http(s) URL alerts are POSTed to'
          : 'expected an http(s) URL',
    })
    .refine((s) => URL.canParse(s), { error: 'expected an absolute http(s) URL' })
    .transform((s) => new URL(s)),
  rules: z
    .array(z.enum(RULE_NAMES, { error: `expected one of ${RULE_NAMES.join(', ')}` }), {
      error: 'expected an array of rule names',
    })
    .default([...RULE_NAMES]),
  daily_budget_usd: z
    .number({ error: 'expected a budget in USD' })
    .positive({ error: 'expected a budget in USD above 0' })
    .optional(),
  failure_rate_threshold: z
    .number({ error: 'expected a fraction such as 0.2' })
    .gt(0, { error: 'expected a fraction above 0 and at most 1, such as 0.2' })
    .max(1, { error: 'expected a fraction above 0 and at most 1, such as 0.2' })
    .default(0.2),
  failure_rate_window: z
    .union(
      [
        int(1, 100_000, 'a number of task ends 1-100000').transform((count) => ({ count })),
        duration('a duration').transform((ms) => ({ ms })),
      ],
      { error: 'expected a number of task ends (20) or a duration ("1h")' },
    )
    .default({ count: 20 }),
  failure_rate_min_tasks: int(1, 100_000, 'a number of task ends 1-100000').default(5),
  max_event_age: duration('a duration').default(86_400_000),
  headers: z
    .record(
      z.string(),
      z.string({ error: 'expected a header value (a string)' }).refine((v) => !/[\r\n\0]/.test(v), {
        error: 'a header value may not contain line breaks',
      }),
      { error: 'expected a table of header names and values' },
    )
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'expected an HTTP header name' });
        } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'set by Vigil itself; remove it' });
        }
      }
    })
    .default({}),
  request_timeout_ms: int(100, 600_000, 'milliseconds 100-600000').default(10_000),
  max_retries: int(0, 100, 'a number of retries 0-100').default(5),
  retry_base_ms: int(1, 3_600_000, 'milliseconds 1-3600000').default(1_000),
  retry_max_ms: int(1, 3_600_000, 'milliseconds 1-3600000').default(60_000),
  max_queue: int(1, 1_000_000, 'a number of alerts, at least 1').default(1_000),
  allow_link_local_and_metadata: z.boolean({ error: 'expected true or false' }).default(false),
  prices: z.record(z.string(), price, { error: 'expected a table of model prices' }).optional(),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

/** The defaults the manifest lists (`url` has none; durations as written in TOML). */
export const WEBHOOK_DEFAULTS: Readonly<Record<string, unknown>> = {
  rules: [...RULE_NAMES],
  failure_rate_threshold: 0.2,
  failure_rate_window: 20,
  failure_rate_min_tasks: 5,
  max_event_age: '24h',
  request_timeout_ms: 10_000,
  max_retries: 5,
  retry_base_ms: 1_000,
  retry_max_ms: 60_000,
  max_queue: 1_000,
  allow_link_local_and_metadata: false,
};
