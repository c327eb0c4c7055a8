import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';

/**
 * A zod error callback: "required field is missing" when absent, else `expected`.
 *
 * @example
 * z.string({ error: orMissing('expected a string') })
 */
export const orMissing =
  (expected: string) =>
  (issue: { input: unknown }): string =>
    issue.input === undefined ? 'required field is missing' : expected;

/** Values of the `record` discriminator in `state/analytics/*.jsonl`. */
export const ANALYTICS_RECORDS = ['task', 'quality_gate'] as const;
export type AnalyticsRecordKind = (typeof ANALYTICS_RECORDS)[number];

/** A task's state in a `record: "task"` line. */
export const TASK_STATES = ['queued', 'running', 'done', 'failed', 'retrying'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A quality gate's verdict in a `record: "quality_gate"` line. */
export const GATE_DECISIONS = ['approved', 'rejected'] as const;

const timestamp = z
  .union([z.string(), z.number()], {
    error: orMissing('expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z'),
  })
  .refine((v) => parseTimestamp(v) !== null, {
    error: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch milliseconds',
  });
const id = (max = 256) =>
  z.union([z.string().min(1, { error: 'must not be empty' }).max(max), z.number()], {
    error: orMissing('expected a non-empty string'),
  });
const text = (max = 4096) => z.string({ error: 'expected a string' }).max(max);
const count = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'must not be negative' });
const amount = z
  .number({ error: 'expected a non-negative number' })
  .nonnegative({ error: 'must not be negative' });

/** Fields common to both record kinds. */
const common = {
  record: z.enum(ANALYTICS_RECORDS, { error: `expected one of ${ANALYTICS_RECORDS.join(', ')}` }),
  event_id: id().optional(),
  timestamp,
  roadmap_id: id().optional(),
  epic_id: id().optional(),
  model: text(256).optional(),
  session_id: id().optional(),
};

/**
 * One task state record. Put tokens and cost on the record that reports the usage (usually
 * the `done`/`failed` one), never repeated: Vigil sums them over a task's records.
 */
export const WvoTaskRecord = z.looseObject({
  ...common,
  record: z.literal('task', { error: 'expected task' }),
  task_id: id(),
  state: z.enum(TASK_STATES, { error: orMissing(`expected one of ${TASK_STATES.join(', ')}`) }),
  title: text().optional(),
  agent: text(128).optional(),
  attempt: count.optional(),
  tokens_in: count.optional(),
  tokens_out: count.optional(),
  tokens_cache_read: count.optional(),
  tokens_cache_write: count.optional(),
  cost_usd: amount.optional(),
  duration_ms: amount.optional(),
  error: text(65_536).optional(),
});
export type WvoTaskRecord = z.infer<typeof WvoTaskRecord>;

/** One quality-gate decision. */
export const WvoGateRecord = z.looseObject({
  ...common,
  record: z.literal('quality_gate', { error: 'expected quality_gate' }),
  task_id: id().optional(),
  gate: text(128).min(1, { error: 'must not be empty' }),
  decision: z.enum(GATE_DECISIONS, {
    error: orMissing(`expected one of ${GATE_DECISIONS.join(', ')}`),
  }),
  consensus_score: z
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, { error: 'expected a number between 0 and 1' })
    .max(1, { error: 'expected a number between 0 and 1' })
    .optional(),
  quorum_satisfied: z.boolean({ error: 'expected true or false' }).optional(),
  rubric_scores: z
    .record(z.string(), z.number({ error: 'expected a number' }), {
      error: 'expected an object of rubric name to score, e.g. {"correctness": 4.5}',
    })
    .optional(),
  reviewers: z.array(text(128), { error: 'expected an array of reviewer names' }).optional(),
  reason: text(65_536).optional(),
});
export type WvoGateRecord = z.infer<typeof WvoGateRecord>;

/** Keys the parser maps onto event fields or named attributes; the rest go to attrs as is. */
export const TASK_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(WvoTaskRecord.shape));
export const GATE_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(WvoGateRecord.shape));
