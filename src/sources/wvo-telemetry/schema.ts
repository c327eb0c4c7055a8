import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';
import { orMissing } from '../wvo-analytics/schema.js';

/** Values of the `record` discriminator in `state/telemetry/*.jsonl`. */
export const TELEMETRY_RECORDS = ['operation', 'resource'] as const;

/** Operation outcomes, as WVO writes them. */
export const OPERATION_STATUSES = [
  'started',
  'success',
  'ok',
  'error',
  'failure',
  'timeout',
  'cancelled',
] as const;

const timestamp = z
  .union([z.string(), z.number()], {
    error: orMissing('expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z'),
  })
  .refine((v) => parseTimestamp(v) !== null, {
    error: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch milliseconds',
  });
const id = z.union([z.string().min(1, { error: 'must not be empty' }).max(256), z.number()], {
  error: 'expected a non-empty string',
});
const text = (max = 4096) => z.string({ error: 'expected a string' }).max(max);
const count = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'must not be negative' });
const amount = z
  .number({ error: 'expected a non-negative number' })
  .nonnegative({ error: 'must not be negative' });
const percent = z
  .number({ error: 'expected a percentage between 0 and 100' })
  .min(0, { error: 'expected a percentage between 0 and 100' })
  .max(100, { error: 'expected a percentage between 0 and 100' });

/** One timed operation; an LLM call when it names a model or carries tokens. */
export const WvoOperationRecord = z.looseObject({
  record: z.literal('operation'),
  event_id: id.optional(),
  timestamp,
  operation: text(256).min(1, { error: 'must not be empty' }),
  status: z
    .enum(OPERATION_STATUSES, { error: `expected one of ${OPERATION_STATUSES.join(', ')}` })
    .optional(),
  duration_ms: amount.optional(),
  task_id: id.optional(),
  session_id: id.optional(),
  agent: text(128).optional(),
  provider: text(128).optional(),
  model: text(256).optional(),
  tokens_in: count.optional(),
  tokens_out: count.optional(),
  tokens_cache_read: count.optional(),
  tokens_cache_write: count.optional(),
  cost_usd: amount.optional(),
  error: text(65_536).optional(),
});
export type WvoOperationRecord = z.infer<typeof WvoOperationRecord>;

/** One host or process utilisation sample. */
export const WvoResourceRecord = z.looseObject({
  record: z.literal('resource'),
  event_id: id.optional(),
  timestamp,
  host: text(256).optional(),
  process: text(256).optional(),
  pid: count.optional(),
  cpu_pct: amount.optional(),
  memory_mb: amount.optional(),
  memory_pct: percent.optional(),
  rss_mb: amount.optional(),
  disk_pct: percent.optional(),
  load_avg: z
    .union([amount, z.array(amount).min(1).max(3)], {
      error: 'expected a number or [1m, 5m, 15m] numbers',
    })
    .optional(),
});
export type WvoResourceRecord = z.infer<typeof WvoResourceRecord>;

export const OPERATION_KNOWN_KEYS: ReadonlySet<string> = new Set(
  Object.keys(WvoOperationRecord.shape),
);
export const RESOURCE_KNOWN_KEYS: ReadonlySet<string> = new Set(
  Object.keys(WvoResourceRecord.shape),
);
