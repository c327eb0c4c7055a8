import { KPI_EVENT_TYPES, KPI_STATUSES, type KpiEvent } from './schema.js';

const EVENT_TYPES: ReadonlySet<unknown> = new Set(KPI_EVENT_TYPES);
const STATUSES: ReadonlySet<unknown> = new Set(KPI_STATUSES);

/** True for a hex digit's char code. */
function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/**
 * True when `value` matches zod's UUID pattern through its general branch (version 1–8, RFC
 * variant). The nil and max UUIDs, which zod also accepts, answer false: the caller then
 * validates with the schema itself.
 */
function isUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!isHex(c)) return false;
  }
  const version = value.charCodeAt(14);
  const variant = value.charCodeAt(19) | 0x20;
  return (
    version >= 0x31 &&
    version <= 0x38 &&
    (variant === 0x38 || variant === 0x39 || variant === 0x61 || variant === 0x62)
  );
}

function optionalText(value: unknown, max: number): boolean {
  return value === undefined || (typeof value === 'string' && value.length <= max);
}

function optionalCount(value: unknown): boolean {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

function optionalAmount(value: unknown): boolean {
  return value === undefined || (Number.isFinite(value) && (value as number) >= 0);
}

/**
 * The KPI schema's check for records it accepts as they are, without zod: true only when
 * `KpiEvent.safeParse(record)` succeeds and its data equals the record's schema fields (every
 * field is a plain value, nothing is transformed). False means "not proven valid": the caller
 * runs the zod schema, which accepts the rare shapes this check leaves out (the nil UUID) and
 * words the reject of an invalid record. kpi.test.ts checks this against the schema on
 * generated valid and invalid records.
 *
 * @example
 * const k = isKpiEvent(record) ? record : KpiEvent.safeParse(record);
 */
export function isKpiEvent(record: Record<string, unknown>): record is KpiEvent {
  const id = record['event_id'];
  const taskId = record['task_id'];
  return (
    typeof id === 'string' &&
    isUuid(id) &&
    EVENT_TYPES.has(record['event_type']) &&
    typeof record['timestamp'] === 'string' &&
    typeof taskId === 'string' &&
    taskId.length >= 1 &&
    taskId.length <= 256 &&
    optionalText(record['session_id'], 256) &&
    optionalText(record['model'], 256) &&
    optionalCount(record['tokens_input']) &&
    optionalCount(record['tokens_output']) &&
    optionalCount(record['tokens_cache_read']) &&
    optionalCount(record['tokens_cache_write']) &&
    optionalAmount(record['duration_seconds']) &&
    (record['status'] === undefined || STATUSES.has(record['status'])) &&
    optionalText(record['error_message'], 65_536) &&
    optionalAmount(record['cost_usd'])
  );
}
