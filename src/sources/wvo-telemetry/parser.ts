import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { rejectFromIssues } from '../kpi/parser.js';
import { pickAttrs, str } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
import type { LineContext, RecordResult } from '../types.js';
import {
  OPERATION_KNOWN_KEYS,
  RESOURCE_KNOWN_KEYS,
  TELEMETRY_RECORDS,
  WvoOperationRecord,
  WvoResourceRecord,
} from './schema.js';

const ADAPTER = 'wvo-telemetry';

/** How an operation's `status` maps onto Vigil's statuses. */
export const OPERATION_STATUS = {
  started: 'started',
  success: 'success',
  ok: 'success',
  error: 'failure',
  failure: 'failure',
  timeout: 'timeout',
  cancelled: 'cancelled',
} as const satisfies Record<string, EventStatus>;

/**
 * Parses one `state/telemetry/*.jsonl` record: `record: "operation"` → `telemetry_operation`
 * (tokens on the event when it was an LLM call), `record: "resource"` → `resource_sample`.
 *
 * @example
 * parseWvoTelemetryRecord({ record: 'resource', timestamp: '2026-02-16T14:30:00Z',
 *   host: 'mbp', cpu_pct: 42.5 }, ctx) // one resource_sample
 */
export function parseWvoTelemetryRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  const source = { adapter: ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset };
  if (record['record'] === 'operation') {
    const parsed = WvoOperationRecord.safeParse(record);
    if (!parsed.success)
      return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
    const r = parsed.data;
    const llmCall =
      r.model !== undefined || r.tokens_in !== undefined || r.tokens_out !== undefined;
    const event: VigilEvent = {
      ...EMPTY_EVENT_FIELDS,
      id: str(r.event_id) ?? ctx.deriveId(),
      type: 'telemetry_operation',
      kind: 'command',
      ts: parseTimestamp(r.timestamp) ?? 0,
      taskId: str(r.task_id, 256),
      sessionId: str(r.session_id, 256),
      agentRole: r.agent ?? null,
      model: r.model ?? null,
      status: r.status === undefined ? null : OPERATION_STATUS[r.status],
      durationMs: r.duration_ms ?? null,
      tokensIn: r.tokens_in ?? null,
      tokensOut: r.tokens_out ?? null,
      tokensCacheRead: r.tokens_cache_read ?? null,
      tokensCacheWrite: r.tokens_cache_write ?? null,
      costUsd: r.cost_usd ?? null,
      message: r.error ?? null,
      source,
      attrs: {
        ...pickAttrs(record, OPERATION_KNOWN_KEYS),
        operation: r.operation,
        provider: r.provider ?? null,
        llm_call: llmCall,
      },
    };
    return { ok: true, events: [event] };
  }
  if (record['record'] === 'resource') {
    const parsed = WvoResourceRecord.safeParse(record);
    if (!parsed.success)
      return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
    const r = parsed.data;
    const load =
      r.load_avg === undefined ? [] : Array.isArray(r.load_avg) ? r.load_avg : [r.load_avg];
    const event: VigilEvent = {
      ...EMPTY_EVENT_FIELDS,
      id: str(r.event_id) ?? ctx.deriveId(),
      type: 'resource_sample',
      kind: 'resource',
      ts: parseTimestamp(r.timestamp) ?? 0,
      source,
      attrs: {
        ...pickAttrs(record, RESOURCE_KNOWN_KEYS),
        host: r.host ?? null,
        process: r.process ?? null,
        pid: r.pid ?? null,
        cpu_pct: r.cpu_pct ?? null,
        memory_mb: r.memory_mb ?? null,
        memory_pct: r.memory_pct ?? null,
        rss_mb: r.rss_mb ?? null,
        disk_pct: r.disk_pct ?? null,
        load_avg_1m: load[0] ?? null,
        load_avg_5m: load[1] ?? null,
        load_avg_15m: load[2] ?? null,
      },
    };
    return { ok: true, events: [event] };
  }
  const missing = record['record'] === undefined;
  return {
    ok: false,
    reject: {
      reason: missing ? 'schema' : 'unknown_type',
      field: 'record',
      message: `record: ${missing ? 'required field is missing; set it to' : 'expected'} one of ${TELEMETRY_RECORDS.join(', ')}`,
    },
  };
}
