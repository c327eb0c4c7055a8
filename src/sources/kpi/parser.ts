import { lookupEventType } from '../../core/catalogue.js';
import type { EventStatus, VigilEvent } from '../../core/event.js';
import { pickAttrs } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
import { describeFirstIssue, fieldReject } from '../shared/zod-reject.js';
import type { LineContext, RecordResult, Reject } from '../types.js';
import { isKpiEvent } from './is-kpi-event.js';
import { KPI_KNOWN_KEYS, KpiEvent } from './schema.js';

/** The reject for a failed parse: an `event_type` outside seed 003's enum is `unknown_type`. */
function kpiReject(
  issues: Parameters<typeof describeFirstIssue>[0],
  record: Record<string, unknown>,
): Reject {
  const { field, missing, message } = describeFirstIssue(issues, record);
  return { reason: field === 'event_type' && !missing ? 'unknown_type' : 'schema', message, field };
}

/**
 * Parses one seed-003 KPI record into a canonical event.
 *
 * @example
 * parseKpiRecord({ event_id: '550e8400-e29b-41d4-a716-446655440001', event_type: 'task_start',
 *   timestamp: '2026-02-16T14:30:00Z', task_id: 'task_abc123', model: 'gpt-5.3-codex' }, ctx)
 */
export function parseKpiRecord(record: Record<string, unknown>, ctx: LineContext): RecordResult {
  let k: KpiEvent;
  if (isKpiEvent(record)) k = record;
  else {
    const parsed = KpiEvent.safeParse(record);
    if (!parsed.success) return { ok: false, reject: kpiReject(parsed.error.issues, record) };
    k = parsed.data;
  }
  const ts = parseTimestamp(k.timestamp);
  if (ts === null) {
    return {
      ok: false,
      reject: fieldReject(
        'timestamp',
        'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z',
      ),
    };
  }
  const entry = lookupEventType(k.event_type);
  let status: EventStatus | null = k.status ?? entry?.status ?? null;
  if (k.event_type === 'error') status = 'failure';
  const event: VigilEvent = {
    id: k.event_id.toLowerCase(),
    type: k.event_type,
    kind: entry?.kind ?? 'log',
    ts,
    sessionId: k.session_id ?? null,
    taskId: k.task_id,
    phase: null,
    agentRole: null,
    model: k.model ?? null,
    status,
    durationMs: k.duration_seconds === undefined ? null : k.duration_seconds * 1000,
    tokensIn: k.tokens_input ?? null,
    tokensOut: k.tokens_output ?? null,
    tokensCacheRead: k.tokens_cache_read ?? null,
    tokensCacheWrite: k.tokens_cache_write ?? null,
    costUsd: k.cost_usd ?? null,
    message: k.error_message ?? null,
    source: { adapter: 'kpi', file: ctx.file, line: ctx.line, offset: ctx.offset },
    attrs: pickAttrs(record, KPI_KNOWN_KEYS),
  };
  return { ok: true, events: [event] };
}
