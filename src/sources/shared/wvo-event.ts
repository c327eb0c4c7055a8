import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../core/event.js';
import type { LineContext, RecordResult } from '../types.js';
import { str } from './fields.js';
import { parseTimestamp } from './timestamp.js';

/*
 * Event fields the WVO JSONL adapters (wvo-analytics, wvo-telemetry) fill the same way from a
 * validated record (see `wvoTimestamp`, `wvoId` and `wvoUsageFields` in zod-fields.ts).
 */

/**
 * The empty event with a WVO record's id (its `event_id`, else derived from the line), time
 * (0 when unparseable, which validation rules out) and source.
 *
 * @example
 * const event: VigilEvent = { ...wvoEventBase(r, ctx, 'wvo-telemetry'), type: 'resource_sample',
 *   kind: 'resource', attrs }
 */
export function wvoEventBase(
  r: { readonly event_id?: string | number | undefined; readonly timestamp: string | number },
  ctx: LineContext,
  adapter: string,
): Omit<VigilEvent, 'type' | 'kind' | 'attrs'> {
  return {
    ...EMPTY_EVENT_FIELDS,
    id: str(r.event_id) ?? ctx.deriveId(),
    ts: parseTimestamp(r.timestamp) ?? 0,
    source: { adapter, file: ctx.file, line: ctx.line, offset: ctx.offset },
  };
}

/**
 * A WVO record's task, session and model columns.
 *
 * @example
 * wvoWorkColumns({ task_id: 42, model: 'gpt-5' }) // { taskId: '42', sessionId: null, model: 'gpt-5' }
 */
export function wvoWorkColumns(r: {
  readonly task_id?: string | number | undefined;
  readonly session_id?: string | number | undefined;
  readonly model?: string | undefined;
}): Pick<VigilEvent, 'taskId' | 'sessionId' | 'model'> {
  return { taskId: str(r.task_id, 256), sessionId: str(r.session_id, 256), model: r.model ?? null };
}

/**
 * A WVO record's duration, token and cost columns (null when absent).
 *
 * @example
 * wvoUsageColumns({ tokens_in: 1200, duration_ms: 50 }) // { durationMs: 50, tokensIn: 1200, tokensOut: null, ... }
 */
export function wvoUsageColumns(r: {
  readonly duration_ms?: number | undefined;
  readonly tokens_in?: number | undefined;
  readonly tokens_out?: number | undefined;
  readonly tokens_cache_read?: number | undefined;
  readonly tokens_cache_write?: number | undefined;
  readonly cost_usd?: number | undefined;
}): Pick<
  VigilEvent,
  'durationMs' | 'tokensIn' | 'tokensOut' | 'tokensCacheRead' | 'tokensCacheWrite' | 'costUsd'
> {
  return {
    durationMs: r.duration_ms ?? null,
    tokensIn: r.tokens_in ?? null,
    tokensOut: r.tokens_out ?? null,
    tokensCacheRead: r.tokens_cache_read ?? null,
    tokensCacheWrite: r.tokens_cache_write ?? null,
    costUsd: r.cost_usd ?? null,
  };
}

/**
 * The reject for a WVO line whose `record` discriminator is absent (`schema`) or not one of
 * `kinds` (`unknown_type`).
 *
 * @example
 * unknownRecordKind(record['record'], ['operation', 'resource'])
 * // { ok: false, reject: { reason: 'unknown_type', field: 'record', message: 'record: expected one of operation, resource' } }
 */
export function unknownRecordKind(value: unknown, kinds: readonly string[]): RecordResult {
  const missing = value === undefined;
  return {
    ok: false,
    reject: {
      reason: missing ? 'schema' : 'unknown_type',
      field: 'record',
      message: `record: ${missing ? 'required field is missing; set it to' : 'expected'} one of ${kinds.join(', ')}`,
    },
  };
}
