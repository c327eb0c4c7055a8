import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';
import { textField as text } from '../shared/zod-fields.js';

const count = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'expected a non-negative integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'expected a safe integer' });

/**
 * One line of `.droid_token_usage.jsonl`: one model call. Seed 003 reads this log but never
 * spells it out, so this is the format Vigil defines for it (docs/formats/token-usage.md).
 * Optional fields may be absent or null; unknown fields are kept as attributes.
 */
export const TokenUsageLine = z.looseObject({
  timestamp: z
    .union([z.string(), z.number()], { error: 'expected an ISO-8601 date-time string' })
    .refine((v) => parseTimestamp(v) !== null, {
      error: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:12.482913, or epoch seconds',
    }),
  model: text(256).min(1, { error: 'must not be empty' }),
  input_tokens: count,
  output_tokens: count,
  cache_read_tokens: count.nullish(),
  cache_write_tokens: count.nullish(),
  task_id: text(256).nullish(),
  session_id: text(256).nullish(),
  request_id: text(256).min(1, { error: 'must not be empty' }).nullish(),
  operation: text(128).nullish(),
  duration_ms: z
    .number({ error: 'expected a number of milliseconds' })
    .nonnegative({ error: 'must not be negative' })
    .nullish(),
  duration_seconds: z
    .number({ error: 'expected a number of seconds' })
    .nonnegative({ error: 'must not be negative' })
    .nullish(),
  cost_usd: z
    .number({ error: 'expected a number of US dollars' })
    .nonnegative({ error: 'must not be negative' })
    .nullish(),
});
export type TokenUsageLine = z.infer<typeof TokenUsageLine>;

/**
 * Other names accepted for a field (OpenAI's and Anthropic's usage names); the canonical name
 * wins when a line carries both.
 */
export const TOKEN_USAGE_ALIASES = {
  input_tokens: ['prompt_tokens'],
  output_tokens: ['completion_tokens'],
  cache_read_tokens: ['cache_read_input_tokens'],
  cache_write_tokens: ['cache_creation_input_tokens'],
} as const satisfies Partial<Record<keyof TokenUsageLine, readonly string[]>>;

/**
 * Keys that become columns of the canonical event; everything else on a line (`request_id`,
 * `operation`, `total_tokens`, unknown fields) is kept as an attribute.
 */
export const TOKEN_USAGE_COLUMN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(TokenUsageLine.shape).filter((k) => k !== 'request_id' && k !== 'operation'),
  ...Object.values(TOKEN_USAGE_ALIASES).flat(),
]);
