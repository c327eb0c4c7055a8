import type { EventStatus } from '../../core/event.js';
import { isJsonObject, num, pickAttrs } from '../shared/fields.js';
import { EXIT_CODE_KEYS, GATE_RESULT_KEYS, USAGE_KEYS } from './schema.js';

/** An event's `metadata` dict, cleaned of prototype keys. */
export type Metadata = Readonly<Record<string, unknown>>;

const NO_KEYS: ReadonlySet<string> = new Set();

/** The cleaned metadata object, or null when `value` is not a JSON object. */
export function readMetadata(value: unknown): Metadata | null {
  return isJsonObject(value) ? pickAttrs(value, NO_KEYS) : null;
}

/** A token count Vigil can store: a non-negative safe integer, else null. */
function count(value: unknown): number | null {
  const n = num(value);
  return n === null || n > Number.MAX_SAFE_INTEGER ? null : Math.round(n);
}

function first<T>(
  meta: Metadata,
  keys: readonly string[],
  read: (value: unknown) => T | null,
): T | null {
  for (const key of keys) {
    const value = read(meta[key]);
    if (value !== null) return value;
  }
  return null;
}

/** Usage figures as the canonical event stores them. */
export interface Usage {
  readonly tokensIn: number | null;
  readonly tokensOut: number | null;
  readonly tokensCacheRead: number | null;
  readonly tokensCacheWrite: number | null;
  readonly costUsd: number | null;
}

export const NO_USAGE: Usage = {
  tokensIn: null,
  tokensOut: null,
  tokensCacheRead: null,
  tokensCacheWrite: null,
  costUsd: null,
};

/**
 * Reads usage from metadata: `prompt_tokens`/`input_tokens`, `completion_tokens`/`output_tokens`,
 * `cache_read_input_tokens`, `cache_creation_input_tokens`, `cost_usd`/`cost`.
 *
 * @example
 * readUsage({ prompt_tokens: 150, completion_tokens: 300, total_tokens: 450 })
 * // { tokensIn: 150, tokensOut: 300, tokensCacheRead: null, tokensCacheWrite: null, costUsd: null }
 */
export function readUsage(meta: Metadata): Usage {
  return {
    tokensIn: first(meta, USAGE_KEYS.tokensIn, count),
    tokensOut: first(meta, USAGE_KEYS.tokensOut, count),
    tokensCacheRead: first(meta, USAGE_KEYS.tokensCacheRead, count),
    tokensCacheWrite: first(meta, USAGE_KEYS.tokensCacheWrite, count),
    costUsd: first(meta, USAGE_KEYS.costUsd, num),
  };
}

/** `duration_ms`, `latency_ms` or `duration_seconds`, in milliseconds. */
export function readDurationMs(meta: Metadata): number | null {
  const ms = first(meta, ['duration_ms', 'latency_ms'], num);
  if (ms !== null) return ms;
  const seconds = num(meta['duration_seconds']);
  return seconds === null ? null : seconds * 1000;
}

const GATE_OUTCOMES: Readonly<Record<string, EventStatus>> = {
  passed: 'success',
  pass: 'success',
  blocked: 'blocked',
  block: 'blocked',
  warned: 'warned',
  warn: 'warned',
  warning: 'warned',
};

/**
 * The outcome of a `gate_evaluated` event: `result` (or `decision`, `outcome`, `status`) of
 * `passed`, `blocked` or `warned`, or a boolean `passed`; null when the metadata says neither.
 */
export function readGateStatus(meta: Metadata): EventStatus | null {
  const outcome = first(meta, GATE_RESULT_KEYS, (value) =>
    typeof value === 'string' && Object.hasOwn(GATE_OUTCOMES, value.toLowerCase())
      ? (GATE_OUTCOMES[value.toLowerCase()] ?? null)
      : null,
  );
  if (outcome !== null) return outcome;
  const passed = meta['passed'];
  return typeof passed === 'boolean' ? (passed ? 'success' : 'blocked') : null;
}

/**
 * The outcome of a `command_executed` event from its exit code (`exit_code`, `returncode` or
 * `return_code`): 0 is success, anything else (negative: killed by a signal) is failure.
 */
export function readExitStatus(meta: Metadata): EventStatus | null {
  const code = first(meta, EXIT_CODE_KEYS, (value) => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) ? n : null;
  });
  if (code === null) return null;
  return code === 0 ? 'success' : 'failure';
}

/** A source-assigned event id in metadata (`event_id`), when it is a usable string. */
export function readEventId(meta: Metadata): string | null {
  const id = meta['event_id'];
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : null;
}
