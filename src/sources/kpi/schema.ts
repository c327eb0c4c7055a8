import { z } from 'zod';

/** Seed 003's `event_type` enum. */
export const KPI_EVENT_TYPES = [
  'task_start',
  'task_end',
  'review_start',
  'review_end',
  'error',
] as const;
/** Seed 003's `status` enum. */
export const KPI_STATUSES = ['success', 'failure', 'timeout'] as const;

const count = z
  .number({ error: 'expected an integer' })
  .int({ error: 'expected an integer' })
  .nonnegative({ error: 'must not be negative' });

/**
 * Seed 003's KPI event schema (JSON Schema draft 2020-12, section 3.A), enforced. Extra
 * properties are kept as attributes; `tokens_cache_read`, `tokens_cache_write` and `cost_usd`
 * are optional extensions Vigil understands.
 */
export const KpiEvent = z.looseObject({
  event_id: z.uuid({ error: 'expected a UUID such as 550e8400-e29b-41d4-a716-446655440001' }),
  event_type: z.enum(KPI_EVENT_TYPES, {
    error: `expected one of ${KPI_EVENT_TYPES.join(', ')}`,
  }),
  // Parsed (and so validated) once, by the parser: see parseKpiRecord.
  timestamp: z.string({ error: 'expected an ISO-8601 date-time string' }),
  task_id: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).max(256),
  session_id: z.string({ error: 'expected a string' }).max(256).optional(),
  model: z.string({ error: 'expected a string' }).max(256).optional(),
  tokens_input: count.optional(),
  tokens_output: count.optional(),
  tokens_cache_read: count.optional(),
  tokens_cache_write: count.optional(),
  duration_seconds: z
    .number({ error: 'expected a number of seconds' })
    .nonnegative({ error: 'must not be negative' })
    .optional(),
  status: z.enum(KPI_STATUSES, { error: `expected one of ${KPI_STATUSES.join(', ')}` }).optional(),
  error_message: z.string({ error: 'expected a string' }).max(65_536).optional(),
  cost_usd: z.number({ error: 'expected a number' }).nonnegative().optional(),
});
export type KpiEvent = z.infer<typeof KpiEvent>;

/** Schema keys: everything else on a line goes into attributes. */
export const KPI_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(KpiEvent.shape));
