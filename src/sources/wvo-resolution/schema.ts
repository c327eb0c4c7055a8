import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';
import { orMissing } from '../wvo-analytics/schema.js';

/** A resolution loop's lifecycle. */
export const LOOP_STATUSES = ['active', 'closed', 'abandoned'] as const;
/** How one attempt ended; `pending` while it runs. */
export const ATTEMPT_OUTCOMES = ['pending', 'success', 'failure', 'timeout', 'cancelled'] as const;

const timestamp = z
  .union([z.string(), z.number()], {
    error: orMissing('expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z'),
  })
  .refine((v) => parseTimestamp(v) !== null, {
    error: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch milliseconds',
  });
const id = z.union([z.string().min(1, { error: 'must not be empty' }).max(256), z.number()], {
  error: orMissing('expected a non-empty string'),
});
const text = (max = 4096) => z.string({ error: 'expected a string' }).max(max);
const count = z
  .number({ error: orMissing('expected a non-negative integer') })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'must not be negative' });

/** One attempt of a loop. */
export const ResolutionAttempt = z.looseObject({
  attempt: count.min(1, { error: 'attempts are numbered from 1' }),
  started_at: timestamp,
  finished_at: timestamp.optional(),
  duration_ms: z.number({ error: 'expected a number of milliseconds' }).nonnegative().optional(),
  outcome: z
    .enum(ATTEMPT_OUTCOMES, { error: `expected one of ${ATTEMPT_OUTCOMES.join(', ')}` })
    .optional(),
  label: text(256).optional(),
  incident: text(4096).optional(),
});
export type ResolutionAttempt = z.infer<typeof ResolutionAttempt>;

/** One loop as `ResolutionMetricsStore` writes it. */
export const ResolutionLoop = z.looseObject({
  loop_id: id,
  task_id: id,
  status: z.enum(LOOP_STATUSES, {
    error: orMissing(`expected one of ${LOOP_STATUSES.join(', ')}`),
  }),
  opened_at: timestamp,
  closed_at: timestamp.nullable().optional(),
  attempts: z.array(z.unknown(), { error: 'expected an array of attempts' }).max(10_000).optional(),
  /** Total attempts when `attempts` holds only the recent ones. */
  attempt_count: count.optional(),
  /** Incidents raised in this loop; default: attempts with an `incident`. */
  incidents: count.optional(),
  run_id: id.optional(),
});
export type ResolutionLoop = z.infer<typeof ResolutionLoop>;

/** The whole `state/analytics/resolution_metrics.json` document. */
export const ResolutionDocument = z.looseObject({
  updated_at: timestamp.optional(),
  loops: z.array(z.unknown(), { error: orMissing('expected an array of loops') }).max(100_000),
});

export const LOOP_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(ResolutionLoop.shape));
export const ATTEMPT_KNOWN_KEYS: ReadonlySet<string> = new Set(
  Object.keys(ResolutionAttempt.shape),
);
