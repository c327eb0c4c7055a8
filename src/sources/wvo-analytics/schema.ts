import { z } from 'zod';

import {
  orMissing,
  wvoAmount,
  wvoCount,
  wvoId,
  wvoText,
  wvoTimestamp,
  wvoUsageFields,
} from '../shared/zod-fields.js';

/** Values of the `record` discriminator in `state/analytics/*.jsonl`. */
export const ANALYTICS_RECORDS = ['task', 'quality_gate'] as const;
export type AnalyticsRecordKind = (typeof ANALYTICS_RECORDS)[number];

/** A task's state in a `record: "task"` line. */
export const TASK_STATES = ['queued', 'running', 'done', 'failed', 'retrying'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A quality gate's verdict in a `record: "quality_gate"` line. */
export const GATE_DECISIONS = ['approved', 'rejected'] as const;

/** Fields common to both record kinds. */
const common = {
  record: z.enum(ANALYTICS_RECORDS, { error: `expected one of ${ANALYTICS_RECORDS.join(', ')}` }),
  event_id: wvoId.optional(),
  timestamp: wvoTimestamp,
  roadmap_id: wvoId.optional(),
  epic_id: wvoId.optional(),
  model: wvoText(256).optional(),
  session_id: wvoId.optional(),
};

/**
 * One task state record. Put tokens and cost on the record that reports the usage (usually
 * the `done`/`failed` one), never repeated: Vigil sums them over a task's records.
 */
export const WvoTaskRecord = z.looseObject({
  ...common,
  record: z.literal('task', { error: 'expected task' }),
  task_id: wvoId,
  state: z.enum(TASK_STATES, { error: orMissing(`expected one of ${TASK_STATES.join(', ')}`) }),
  title: wvoText().optional(),
  agent: wvoText(128).optional(),
  attempt: wvoCount.optional(),
  ...wvoUsageFields,
  duration_ms: wvoAmount.optional(),
  error: wvoText(65_536).optional(),
});
export type WvoTaskRecord = z.infer<typeof WvoTaskRecord>;

/** One quality-gate decision. */
export const WvoGateRecord = z.looseObject({
  ...common,
  record: z.literal('quality_gate', { error: 'expected quality_gate' }),
  task_id: wvoId.optional(),
  gate: wvoText(128).min(1, { error: 'must not be empty' }),
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
  reviewers: z.array(wvoText(128), { error: 'expected an array of reviewer names' }).optional(),
  reason: wvoText(65_536).optional(),
});
export type WvoGateRecord = z.infer<typeof WvoGateRecord>;

/** Keys the parser maps onto event fields or named attributes; the rest go to attrs as is. */
export const TASK_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(WvoTaskRecord.shape));
export const GATE_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(WvoGateRecord.shape));
