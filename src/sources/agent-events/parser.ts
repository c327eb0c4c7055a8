import { lookupEventType } from '../../core/catalogue.js';
import type { EventStatus, VigilEvent } from '../../core/event.js';
import { cleanJson, pickAttrs, str } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
import { fieldReject, validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import {
  NO_USAGE,
  readDurationMs,
  readEventId,
  readExitStatus,
  readGateStatus,
  readMetadata,
  readUsage,
} from './metadata.js';
import type { Metadata } from './metadata.js';
import { AGENT_EVENT_KNOWN_KEYS, AgentEventRecord, USAGE_EVENT_TYPE } from './schema.js';
import type { AgentEventContextField } from './schema.js';

export const AGENT_EVENTS_ADAPTER_NAME = 'agent-events';

const CONTEXT_MAX: Readonly<Record<AgentEventContextField, number>> = {
  phase: 128,
  task_id: 256,
  agent_role: 128,
  model: 256,
};

/** The status an event's own metadata gives, overriding the catalogue's default. */
function statusFromMetadata(type: string, meta: Metadata): EventStatus | null {
  if (type === 'gate_evaluated') return readGateStatus(meta);
  if (type === 'command_executed') return readExitStatus(meta);
  return null;
}

/**
 * Parses one seed-002 `Event.to_dict()` line into a canonical event.
 *
 * - `event_type`, `timestamp`, `session_id` and `message` are required; a missing or ill-typed
 *   one is a `schema` reject naming it.
 * - An `event_type` the catalogue does not know is still ingested, as kind `log` with no status.
 * - `phase`, `task_id`, `agent_role`, `model` and `metadata` of the wrong type are dropped from
 *   the event and kept under `attrs.ignored_fields`; they never cost the event.
 * - Usage (tokens, cost) is counted on `llm_response_received` only; everywhere else, including
 *   `llm_request_sent`, the figures stay in attrs (see docs/formats/agent-events.md).
 *
 * @example
 * parseAgentEventRecord({ event_type: 'llm_response_received', timestamp: '2026-02-16T09:15:06.599375',
 *   session_id: 'sess_20260216_a1', message: 'LLM response from claude-sonnet-4-5',
 *   model: 'claude-sonnet-4-5', metadata: { prompt_tokens: 2187, completion_tokens: 1310 } }, ctx)
 * // → one event: kind 'llm_call', status 'success', tokensIn 2187, tokensOut 1310
 */
export function parseAgentEventRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  // Any string is a valid event_type here, so an event_type issue is a `schema` reject too.
  const parsed = validateRecord(AgentEventRecord, record);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  const ts = parseTimestamp(r.timestamp);
  if (ts === null) {
    return { ok: false, reject: fieldReject('timestamp', 'expected an ISO-8601 date-time') };
  }

  const ignored: Record<string, unknown> = {};
  const context = (field: AgentEventContextField): string | null => {
    const value = record[field];
    if (value === undefined || value === null || value === '') return null;
    const text = str(value, CONTEXT_MAX[field]);
    if (text === null) ignored[field] = cleanJson(value);
    return text;
  };

  let meta = readMetadata(record['metadata']);
  if (meta === null) {
    if (record['metadata'] !== undefined && record['metadata'] !== null) {
      ignored['metadata'] = cleanJson(record['metadata']);
    }
    meta = {};
  }

  const taskId = context('task_id');
  const phase = context('phase');
  const agentRole = context('agent_role');
  const model = context('model') ?? str(meta['model'], CONTEXT_MAX.model);
  const entry = lookupEventType(r.event_type);
  const usage = r.event_type === USAGE_EVENT_TYPE ? readUsage(meta) : NO_USAGE;

  const event: VigilEvent = {
    id: readEventId(meta) ?? ctx.deriveId(),
    type: r.event_type,
    kind: entry?.kind ?? 'log',
    ts,
    sessionId: r.session_id,
    taskId,
    phase,
    agentRole,
    model,
    status: statusFromMetadata(r.event_type, meta) ?? entry?.status ?? null,
    durationMs: readDurationMs(meta),
    ...usage,
    message: r.message === '' ? null : r.message.slice(0, 65_536),
    source: {
      adapter: AGENT_EVENTS_ADAPTER_NAME,
      file: ctx.file,
      line: ctx.line,
      offset: ctx.offset,
    },
    // Keys beyond to_dict() first, so metadata wins a clash; ignored values last.
    attrs: {
      ...pickAttrs(record, AGENT_EVENT_KNOWN_KEYS),
      ...meta,
      ...(Object.keys(ignored).length > 0 ? { ignored_fields: ignored } : {}),
    },
  };
  return { ok: true, events: [event] };
}
