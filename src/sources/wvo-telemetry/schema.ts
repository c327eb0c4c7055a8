import { z } from 'zod';

import {
  wvoAmount,
  wvoCount,
  wvoId,
  wvoText,
  wvoTimestamp,
  wvoUsageFields,
} from '../shared/zod-fields.js';

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

const percent = z
  .number({ error: 'expected a percentage between 0 and 100' })
  .min(0, { error: 'expected a percentage between 0 and 100' })
  .max(100, { error: 'expected a percentage between 0 and 100' });

/** One timed operation; an LLM call when it names a model or carries tokens. */
export const WvoOperationRecord = z.looseObject({
  record: z.literal('operation'),
  event_id: wvoId.optional(),
  timestamp: wvoTimestamp,
  operation: wvoText(256).min(1, { error: 'must not be empty' }),
  status: z
    .enum(OPERATION_STATUSES, { error: `expected one of ${OPERATION_STATUSES.join(', ')}` })
    .optional(),
  duration_ms: wvoAmount.optional(),
  task_id: wvoId.optional(),
  session_id: wvoId.optional(),
  agent: wvoText(128).optional(),
  provider: wvoText(128).optional(),
  model: wvoText(256).optional(),
  ...wvoUsageFields,
  error: wvoText(65_536).optional(),
});
export type WvoOperationRecord = z.infer<typeof WvoOperationRecord>;

/** One host or process utilisation sample. */
export const WvoResourceRecord = z.looseObject({
  record: z.literal('resource'),
  event_id: wvoId.optional(),
  timestamp: wvoTimestamp,
  host: wvoText(256).optional(),
  process: wvoText(256).optional(),
  pid: wvoCount.optional(),
  cpu_pct: wvoAmount.optional(),
  memory_mb: wvoAmount.optional(),
  memory_pct: percent.optional(),
  rss_mb: wvoAmount.optional(),
  disk_pct: percent.optional(),
  load_avg: z
    .union([wvoAmount, z.array(wvoAmount).min(1).max(3)], {
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
