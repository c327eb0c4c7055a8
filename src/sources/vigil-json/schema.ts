import { z } from 'zod';

import { EVENT_KINDS, EVENT_STATUSES } from '../../core/event.js';

const text = (max: number) =>
  z.string({ error: 'expected a string' }).max(max, { error: `at most ${max} characters` });
const count = z
  .number({ error: 'expected an integer' })
  .int({ error: 'expected an integer' })
  .nonnegative({ error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'too large' });

/**
 * Vigil's own event form: what `vigil export --format json` and the HTTP API write, accepted by
 * `POST /api/events` and `vigil ingest --format vigil`. Only `event_type` and `timestamp` are
 * required; unknown keys go to `attrs`.
 */
export const VigilJsonEvent = z.looseObject({
  event_id: text(256).min(1, { error: 'must not be empty' }).optional(),
  event_type: text(128).min(1, { error: 'must not be empty' }),
  kind: z.enum(EVENT_KINDS, { error: `expected one of ${EVENT_KINDS.join(', ')}` }).optional(),
  // Parsed (and so validated) by the parser, which accepts ISO-8601 or epoch milliseconds.
  timestamp: z.union([z.string(), z.number()], {
    error: 'expected an ISO-8601 date-time or epoch seconds or milliseconds',
  }),
  task_id: text(256).nullish(),
  session_id: text(256).nullish(),
  phase: text(128).nullish(),
  agent_role: text(128).nullish(),
  model: text(256).nullish(),
  status: z
    .enum(EVENT_STATUSES, { error: `expected one of ${EVENT_STATUSES.join(', ')}` })
    .nullish(),
  duration_seconds: z
    .number({ error: 'expected a number of seconds' })
    .nonnegative({ error: 'must not be negative' })
    .nullish(),
  tokens_input: count.nullish(),
  tokens_output: count.nullish(),
  tokens_cache_read: count.nullish(),
  tokens_cache_write: count.nullish(),
  cost_usd: z
    .number({ error: 'expected a number' })
    .nonnegative({ error: 'must not be negative' })
    .nullish(),
  error_message: text(65_536).nullish(),
  attrs: z.record(z.string(), z.unknown(), { error: 'expected an object' }).nullish(),
});
export type VigilJsonEvent = z.infer<typeof VigilJsonEvent>;

/** Keys of the form that map onto event fields (everything else is kept in attrs). */
export const VIGIL_JSON_KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(VigilJsonEvent.shape),
  // Written by export, derived again on ingest.
  'source_adapter',
  'source_file',
  'source_line',
  'seq',
]);
