import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';
import { orMissing } from '../wvo-analytics/schema.js';

const timestamp = z
  .union([z.string(), z.number()], {
    error: orMissing('expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z'),
  })
  .refine((v) => parseTimestamp(v) !== null, {
    error: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch milliseconds',
  });
const count = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'must not be negative' });
const amount = z
  .number({ error: 'expected a non-negative number' })
  .nonnegative({ error: 'must not be negative' });

/** Usage within one window (the current hour or day) as of the snapshot. */
export const UsageWindow = z.looseObject({
  requests: count.optional(),
  tokens: count.optional(),
  cost_usd: amount.optional(),
  window_start: timestamp.optional(),
});

/** One provider's entry in `state/limits/usage_log.json`. */
export const ProviderUsage = z.looseObject({
  provider: z.string({ error: 'expected a string' }).min(1).max(128).optional(),
  updated_at: timestamp.optional(),
  usage: z.looseObject(
    {
      current_hour: UsageWindow.optional(),
      current_day: UsageWindow.optional(),
    },
    { error: orMissing('expected an object with current_hour and/or current_day') },
  ),
  limits: z
    .looseObject(
      {
        hourly_requests: count.optional(),
        hourly_tokens: count.optional(),
        daily_requests: count.optional(),
        daily_tokens: count.optional(),
      },
      { error: 'expected an object such as {"hourly_tokens": 500000}' },
    )
    .optional(),
  warnings: z
    .looseObject(
      {
        approaching_hourly_limit: z.boolean({ error: 'expected true or false' }).optional(),
        approaching_daily_limit: z.boolean({ error: 'expected true or false' }).optional(),
        percentage_used: amount.optional(),
      },
      { error: 'expected an object' },
    )
    .optional(),
});
export type ProviderUsage = z.infer<typeof ProviderUsage>;

/** The whole document: providers keyed by name (upstream layout) or as an array. */
export const UsageLog = z.looseObject({
  last_saved: timestamp.optional(),
  providers: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
    error: orMissing('expected an object of provider name to usage entry'),
  }),
});

export const PROVIDER_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(ProviderUsage.shape));
