import type { EventStatus, VigilEvent } from '../../core/event.js';
import { cleanJson, pickAttrs, str } from '../shared/fields.js';
import {
  unknownRecordKind,
  wvoEventBase,
  wvoUsageColumns,
  wvoWorkColumns,
} from '../shared/wvo-event.js';
import { type FieldPathOptions, validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import { isGateDecisionsPath } from './paths.js';
import {
  ANALYTICS_RECORDS,
  GATE_KNOWN_KEYS,
  TASK_KNOWN_KEYS,
  WvoGateRecord,
  WvoTaskRecord,
  type TaskState,
} from './schema.js';

const ADAPTER = 'wvo-analytics';
/** Field paths are dotted: `reviewers.0`. */
const DOTS: FieldPathOptions = { style: 'dots' };

/**
 * How a WVO task state maps onto Vigil's statuses. `queued` is null: a queued task has not
 * started, and a status would make it count as started (or, with the catalogue default
 * `unknown`, as ended).
 */
export const TASK_STATE_STATUS = {
  queued: null,
  running: 'started',
  retrying: 'retrying',
  done: 'success',
  failed: 'failure',
} as const satisfies Record<TaskState, EventStatus | null>;

/**
 * Parses one `state/analytics/*.jsonl` record: `record: "task"` → `wvo_task`,
 * `record: "quality_gate"` → `quality_gate_decision`. Without `record`, a file named
 * `quality_gate*.jsonl` holds gate decisions; anything else is rejected.
 *
 * @example
 * parseWvoAnalyticsRecord({ record: 'task', task_id: 'T1.2', state: 'done',
 *   timestamp: '2026-02-16T14:32:30Z', tokens_in: 1200 }, ctx) // one wvo_task, status success
 */
export function parseWvoAnalyticsRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  let input = record;
  if (record['record'] === undefined && isGateDecisionsPath(ctx.logicalPath)) {
    input = { ...record, record: 'quality_gate' };
  }
  switch (input['record']) {
    case 'task':
      return parseTask(input, ctx);
    case 'quality_gate':
      return parseGate(input, ctx);
    default:
      return unknownRecordKind(input['record'], ANALYTICS_RECORDS);
  }
}

function parseTask(record: Record<string, unknown>, ctx: LineContext): RecordResult {
  const parsed = validateRecord(WvoTaskRecord, record, DOTS);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  const event: VigilEvent = {
    ...wvoEventBase(r, ctx, ADAPTER),
    ...wvoWorkColumns(r),
    ...wvoUsageColumns(r),
    type: 'wvo_task',
    kind: 'task',
    agentRole: r.agent ?? null,
    status: TASK_STATE_STATUS[r.state],
    message: r.error ?? null,
    attrs: {
      ...pickAttrs(record, TASK_KNOWN_KEYS),
      state: r.state,
      roadmap_id: str(r.roadmap_id),
      epic_id: str(r.epic_id),
      title: r.title ?? null,
      attempt: r.attempt ?? null,
    },
  };
  return { ok: true, events: [event] };
}

function parseGate(record: Record<string, unknown>, ctx: LineContext): RecordResult {
  const parsed = validateRecord(WvoGateRecord, record, DOTS);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  const event: VigilEvent = {
    ...wvoEventBase(r, ctx, ADAPTER),
    ...wvoWorkColumns(r),
    type: 'quality_gate_decision',
    kind: 'gate',
    status: r.decision === 'approved' ? 'success' : 'failure',
    message: r.reason ?? null,
    attrs: {
      ...pickAttrs(record, GATE_KNOWN_KEYS),
      gate: r.gate,
      decision: r.decision,
      consensus_score: r.consensus_score ?? null,
      quorum_satisfied: r.quorum_satisfied ?? null,
      rubric_scores: r.rubric_scores ? cleanJson(r.rubric_scores) : null,
      reviewers: r.reviewers ?? [],
      roadmap_id: str(r.roadmap_id),
      epic_id: str(r.epic_id),
    },
  };
  return { ok: true, events: [event] };
}
