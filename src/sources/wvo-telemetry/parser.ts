import type { EventStatus, VigilEvent } from '../../core/event.js';
import { pickAttrs } from '../shared/fields.js';
import {
  unknownRecordKind,
  wvoEventBase,
  wvoUsageColumns,
  wvoWorkColumns,
} from '../shared/wvo-event.js';
import { type FieldPathOptions, validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import {
  OPERATION_KNOWN_KEYS,
  RESOURCE_KNOWN_KEYS,
  TELEMETRY_RECORDS,
  WvoOperationRecord,
  WvoResourceRecord,
} from './schema.js';

const ADAPTER = 'wvo-telemetry';
/** Field paths are dotted: `load_avg.1`. */
const DOTS: FieldPathOptions = { style: 'dots' };

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
  if (record['record'] === 'operation') {
    const parsed = validateRecord(WvoOperationRecord, record, DOTS);
    if (!parsed.ok) return parsed;
    const r = parsed.value;
    const llmCall =
      r.model !== undefined || r.tokens_in !== undefined || r.tokens_out !== undefined;
    const event: VigilEvent = {
      ...wvoEventBase(r, ctx, ADAPTER),
      ...wvoWorkColumns(r),
      ...wvoUsageColumns(r),
      type: 'telemetry_operation',
      kind: 'command',
      agentRole: r.agent ?? null,
      status: r.status === undefined ? null : OPERATION_STATUS[r.status],
      message: r.error ?? null,
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
    const parsed = validateRecord(WvoResourceRecord, record, DOTS);
    if (!parsed.ok) return parsed;
    const r = parsed.value;
    const load =
      r.load_avg === undefined ? [] : Array.isArray(r.load_avg) ? r.load_avg : [r.load_avg];
    const event: VigilEvent = {
      ...wvoEventBase(r, ctx, ADAPTER),
      type: 'resource_sample',
      kind: 'resource',
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
  return unknownRecordKind(record['record'], TELEMETRY_RECORDS);
}
