import { lookupEventType } from '../../core/catalogue.js';
import {
  EVENT_STATUSES,
  type EventKind,
  type EventStatus,
  type VigilEvent,
} from '../../core/event.js';
import { int, num, pickAttrs, str } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
import type { LineContext, RecordResult, Reject } from '../types.js';
import { getAtPath } from './dot-path.js';
import {
  GENERIC_FIELDS,
  GENERIC_NUMERIC_FIELDS as NUMERIC_FIELDS,
  type GenericField,
  type GenericMapping,
} from './schema.js';

const ADAPTER = 'generic';
type NumericField = (typeof NUMERIC_FIELDS)[number];

const isCanonicalStatus = (s: string): s is EventStatus => EVENT_STATUSES.some((c) => c === s);

/**
 * Compiles a validated mapping into a record parser: dot paths split once, the top-level keys
 * they consume excluded from attrs.
 *
 * @example
 * const parse = compileGenericParser({ fields: { ts: 'time', type: 'evt' } });
 * parse({ time: '2026-02-16T14:30:00Z', evt: 'llm_done' }, ctx) // { ok: true, events: [...] }
 */
export function compileGenericParser(
  mapping: GenericMapping,
): (record: Record<string, unknown>, ctx: LineContext) => RecordResult {
  const fields = mapping.fields ?? {};
  const paths = new Map<GenericField, { path: string; segments: string[] }>();
  for (const field of GENERIC_FIELDS) {
    const path = fields[field];
    if (path !== undefined) paths.set(field, { path, segments: path.split('.') });
  }
  const consumed = new Set<string>();
  for (const { segments } of paths.values())
    if (segments.length === 1 && segments[0]) consumed.add(segments[0]);
  const kinds: Readonly<Record<string, EventKind>> = mapping.kinds ?? {};
  const statuses: Readonly<Record<string, EventStatus>> = mapping.statuses ?? {};

  const reject = (field: GenericField, problem: string): RecordResult => {
    const path = paths.get(field)?.path ?? field;
    const r: Reject = {
      reason: 'schema',
      field: path,
      message: `${path}: ${problem} (mapped to ${field})`,
    };
    return { ok: false, reject: r };
  };

  return (record, ctx) => {
    const get = (field: GenericField): unknown => {
      const p = paths.get(field);
      const v = p === undefined ? undefined : getAtPath(record, p.segments);
      return v === null ? undefined : v;
    };
    const rawTs = get('ts');
    if (rawTs === undefined) return reject('ts', 'required field is missing');
    const ts = parseTimestamp(rawTs);
    if (ts === null) {
      return reject(
        'ts',
        'expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch seconds/milliseconds',
      );
    }
    const rawType = get('type');
    const type = rawType === undefined ? (mapping.type_default ?? null) : str(rawType, 128);
    if (type === null) {
      return reject(
        'type',
        rawType === undefined ? 'required field is missing' : 'expected a non-empty string',
      );
    }

    const numbers: Partial<Record<NumericField, number | null>> = {};
    for (const field of NUMERIC_FIELDS) {
      const v = get(field);
      if (v === undefined) continue;
      const n = field.startsWith('tokens_') ? int(v) : num(v);
      if (n === null) return reject(field, 'expected a non-negative number');
      numbers[field] = n;
    }
    const seconds = numbers.duration_seconds;

    const entry = lookupEventType(type);
    const kind = Object.hasOwn(kinds, type) ? (kinds[type] ?? 'log') : (entry?.kind ?? 'log');
    const rawStatus = str(get('status'), 128);
    let status: EventStatus | null = entry?.status ?? null;
    const extra: Record<string, unknown> = {};
    if (rawStatus !== null) {
      const lower = rawStatus.toLowerCase();
      if (Object.hasOwn(statuses, rawStatus)) status = statuses[rawStatus] ?? null;
      else if (isCanonicalStatus(lower)) status = lower;
      else {
        status = null;
        extra['source_status'] = rawStatus;
      }
    }

    const event: VigilEvent = {
      id: str(get('id'), 256) ?? ctx.deriveId(),
      type,
      kind,
      ts,
      sessionId: str(get('session_id'), 256),
      taskId: str(get('task_id'), 256),
      phase: str(get('phase'), 128),
      agentRole: str(get('agent_role'), 128),
      model: str(get('model'), 256),
      status,
      durationMs:
        numbers.duration_ms ?? (seconds === undefined || seconds === null ? null : seconds * 1000),
      tokensIn: numbers.tokens_in ?? null,
      tokensOut: numbers.tokens_out ?? null,
      tokensCacheRead: numbers.tokens_cache_read ?? null,
      tokensCacheWrite: numbers.tokens_cache_write ?? null,
      costUsd: numbers.cost_usd ?? null,
      message: str(get('message'), 65_536),
      source: { adapter: ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset },
      attrs: { ...pickAttrs(record, consumed), ...extra },
    };
    return { ok: true, events: [event] };
  };
}
