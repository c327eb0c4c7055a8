import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { rejectFromIssues } from '../kpi/parser.js';
import { cleanJson, pickAttrs, str } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
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
      return {
        ok: false,
        reject: {
          reason: input['record'] === undefined ? 'schema' : 'unknown_type',
          field: 'record',
          message:
            input['record'] === undefined
              ? `record: required field is missing; set it to one of ${ANALYTICS_RECORDS.join(', ')}`
              : `record: expected one of ${ANALYTICS_RECORDS.join(', ')}`,
        },
      };
  }
}

function source(ctx: LineContext): VigilEvent['source'] {
  return { adapter: ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset };
}

function parseTask(record: Record<string, unknown>, ctx: LineContext): RecordResult {
  const parsed = WvoTaskRecord.safeParse(record);
  if (!parsed.success) return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
  const r = parsed.data;
  const event: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: str(r.event_id) ?? ctx.deriveId(),
    type: 'wvo_task',
    kind: 'task',
    ts: parseTimestamp(r.timestamp) ?? 0,
    taskId: str(r.task_id, 256),
    sessionId: str(r.session_id, 256),
    agentRole: r.agent ?? null,
    model: r.model ?? null,
    status: TASK_STATE_STATUS[r.state],
    durationMs: r.duration_ms ?? null,
    tokensIn: r.tokens_in ?? null,
    tokensOut: r.tokens_out ?? null,
    tokensCacheRead: r.tokens_cache_read ?? null,
    tokensCacheWrite: r.tokens_cache_write ?? null,
    costUsd: r.cost_usd ?? null,
    message: r.error ?? null,
    source: source(ctx),
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
  const parsed = WvoGateRecord.safeParse(record);
  if (!parsed.success) return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
  const r = parsed.data;
  const event: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: str(r.event_id) ?? ctx.deriveId(),
    type: 'quality_gate_decision',
    kind: 'gate',
    ts: parseTimestamp(r.timestamp) ?? 0,
    taskId: str(r.task_id, 256),
    sessionId: str(r.session_id, 256),
    model: r.model ?? null,
    status: r.decision === 'approved' ? 'success' : 'failure',
    message: r.reason ?? null,
    source: source(ctx),
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
