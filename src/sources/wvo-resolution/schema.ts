import { z } from 'zod';

import { orMissing, wvoCount, wvoId, wvoText, wvoTimestamp } from '../shared/zod-fields.js';

/** A resolution loop's lifecycle. */
export const LOOP_STATUSES = ['active', 'closed', 'abandoned'] as const;
/** How one attempt ended; `pending` while it runs. */
export const ATTEMPT_OUTCOMES = ['pending', 'success', 'failure', 'timeout', 'cancelled'] as const;

/** One attempt of a loop. */
export const ResolutionAttempt = z.looseObject({
  attempt: wvoCount.min(1, { error: 'attempts are numbered from 1' }),
  started_at: wvoTimestamp,
  finished_at: wvoTimestamp.optional(),
  duration_ms: z.number({ error: 'expected a number of milliseconds' }).nonnegative().optional(),
  outcome: z
    .enum(ATTEMPT_OUTCOMES, { error: `expected one of ${ATTEMPT_OUTCOMES.join(', ')}` })
    .optional(),
  label: wvoText(256).optional(),
  incident: wvoText(4096).optional(),
});
export type ResolutionAttempt = z.infer<typeof ResolutionAttempt>;

/** One loop as `ResolutionMetricsStore` writes it. */
export const ResolutionLoop = z.looseObject({
  loop_id: wvoId,
  task_id: wvoId,
  status: z.enum(LOOP_STATUSES, {
    error: orMissing(`expected one of ${LOOP_STATUSES.join(', ')}`),
  }),
  opened_at: wvoTimestamp,
  closed_at: wvoTimestamp.nullable().optional(),
  attempts: z.array(z.unknown(), { error: 'expected an array of attempts' }).max(10_000).optional(),
  /** Total attempts when `attempts` holds only the recent ones. */
  attempt_count: wvoCount.optional(),
  /** Incidents raised in this loop; default: attempts with an `incident`. */
  incidents: wvoCount.optional(),
  run_id: wvoId.optional(),
});
export type ResolutionLoop = z.infer<typeof ResolutionLoop>;

/** The whole `state/analytics/resolution_metrics.json` document. */
export const ResolutionDocument = z.looseObject({
  updated_at: wvoTimestamp.optional(),
  loops: z.array(z.unknown(), { error: orMissing('expected an array of loops') }).max(100_000),
});

export const LOOP_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(ResolutionLoop.shape));
export const ATTEMPT_KNOWN_KEYS: ReadonlySet<string> = new Set(
  Object.keys(ResolutionAttempt.shape),
);
