import { lookupEventType } from '../../core/catalogue.js';
import type { VigilEvent } from '../../core/event.js';
import { cleanJson, isJsonObject, pickAttrs } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
import { fieldReject, validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import { VIGIL_JSON_KNOWN_KEYS, VigilJsonEvent } from './schema.js';

export const VIGIL_JSON_ADAPTER = 'vigil';

/**
 * Parses one event in Vigil's own form. Without `event_id` the id is derived from the line's
 * content and place, so a retried record is stored once. The kind and default status come
 * from the catalogue when not given (unknown types are kind `log`).
 *
 * @example
 * parseVigilJsonRecord({ event_type: 'task_end', timestamp: '2026-02-16T14:32:30Z',
 *   task_id: 'T-1', status: 'success' }, ctx) // one task event
 */
export function parseVigilJsonRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  const parsed = validateRecord(VigilJsonEvent, record);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  const ts = parseTimestamp(r.timestamp);
  if (ts === null) {
    return {
      ok: false,
      reject: fieldReject(
        'timestamp',
        'expected an ISO-8601 date-time or epoch seconds or milliseconds',
      ),
    };
  }
  const entry = lookupEventType(r.event_type);
  const extra = pickAttrs(record, VIGIL_JSON_KNOWN_KEYS);
  const given = isJsonObject(r.attrs) ? (cleanJson(r.attrs) as Record<string, unknown>) : {};
  const event: VigilEvent = {
    id: r.event_id ?? ctx.deriveId(),
    type: r.event_type,
    kind: r.kind ?? entry?.kind ?? 'log',
    ts,
    sessionId: r.session_id ?? null,
    taskId: r.task_id ?? null,
    phase: r.phase ?? null,
    agentRole: r.agent_role ?? null,
    model: r.model ?? null,
    status: r.status ?? entry?.status ?? null,
    durationMs:
      r.duration_seconds === undefined || r.duration_seconds === null
        ? null
        : r.duration_seconds * 1000,
    tokensIn: r.tokens_input ?? null,
    tokensOut: r.tokens_output ?? null,
    tokensCacheRead: r.tokens_cache_read ?? null,
    tokensCacheWrite: r.tokens_cache_write ?? null,
    costUsd: r.cost_usd ?? null,
    message: r.error_message ?? null,
    source: { adapter: VIGIL_JSON_ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset },
    attrs: { ...given, ...extra },
  };
  return { ok: true, events: [event] };
}
