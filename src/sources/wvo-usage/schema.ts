import { z } from 'zod';

import { orMissing, wvoAmount, wvoCount, wvoTimestamp } from '../shared/zod-fields.js';

/** Usage within one window (the current hour or day) as of the snapshot. */
export const UsageWindow = z.looseObject({
  requests: wvoCount.optional(),
  tokens: wvoCount.optional(),
  cost_usd: wvoAmount.optional(),
  window_start: wvoTimestamp.optional(),
});

/** One provider's entry in `state/limits/usage_log.json`. */
export const ProviderUsage = z.looseObject({
  provider: z.string({ error: 'expected a string' }).min(1).max(128).optional(),
  updated_at: wvoTimestamp.optional(),
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
        hourly_requests: wvoCount.optional(),
        hourly_tokens: wvoCount.optional(),
        daily_requests: wvoCount.optional(),
        daily_tokens: wvoCount.optional(),
      },
      { error: 'expected an object such as {"hourly_tokens": 500000}' },
    )
    .optional(),
  warnings: z
    .looseObject(
      {
        approaching_hourly_limit: z.boolean({ error: 'expected true or false' }).optional(),
        approaching_daily_limit: z.boolean({ error: 'expected true or false' }).optional(),
        percentage_used: wvoAmount.optional(),
      },
      { error: 'expected an object' },
    )
    .optional(),
});
export type ProviderUsage = z.infer<typeof ProviderUsage>;

/** The whole document: providers keyed by name (upstream layout) or as an array. */
export const UsageLog = z.looseObject({
  last_saved: wvoTimestamp.optional(),
  providers: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
    error: orMissing('expected an object of provider name to usage entry'),
  }),
});

export const PROVIDER_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(ProviderUsage.shape));
