import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';
import type { Reject, RejectReason } from '../types.js';

/*
 * Zod building blocks and the issue-to-reject conversion shared by the four WFC adapters
 * (wfc-session, wfc-events, wfc-workflow, wfc-aggregate): one wording for every field error.
 */

/** A count: tokens, tests, retries. */
export const countField = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'expected a non-negative integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'expected a non-negative integer' });

/** A non-negative quantity in `unit` (seconds, minutes, ms). */
export const amountField = (unit: string) =>
  z
    .number({ error: `expected a non-negative number of ${unit}` })
    .nonnegative({ error: `expected a non-negative number of ${unit}` })
    .max(1e15, { error: `expected a non-negative number of ${unit}` });

/** A number in [0, max]: percentages, scores, rates. */
export const rangeField = (max: number) =>
  z
    .number({ error: `expected a number from 0 to ${max}` })
    .min(0, { error: `expected a number from 0 to ${max}` })
    .max(max, { error: `expected a number from 0 to ${max}` });

/** A string of at most `max` characters. */
export const textField = (max: number) =>
  z
    .string({ error: 'expected a string' })
    .max(max, { error: `expected at most ${max} characters` });

/** A non-empty identifier (task, session, reviewer ids). */
export const idField = textField(256).min(1, { error: 'must not be empty' });

export const flagField = z.boolean({ error: 'expected true or false' });

/**
 * An ISO-8601 date-time string, parsed to epoch ms (naive timestamps, as Python's
 * `datetime.now().isoformat()` writes them, are taken as UTC).
 */
export const timestampField = z
  .string({ error: 'expected an ISO-8601 date-time string' })
  .transform((value, ctx) => {
    const ms = parseTimestamp(value);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected an ISO-8601 date-time such as 2026-02-16T14:30:00',
      });
      return z.NEVER;
    }
    return ms;
  });

/**
 * Formats a zod issue path as the field name a user sees: `tokens_input`, `data.cs`,
 * `tasks[3].tokens`. `prefix` names where the validated object sits in the input (`data`).
 *
 * @example
 * formatFieldPath(['tasks', 3, 'tokens']) // 'tasks[3].tokens'
 */
export function formatFieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value at `path` inside `input`, or undefined when any step is absent. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    const k = typeof key === 'number' ? String(key) : key;
    if (typeof k === 'symbol') return undefined;
    if (Array.isArray(cur)) cur = Object.hasOwn(cur, k) ? cur[Number(k)] : undefined;
    else if (isJsonObject(cur)) cur = Object.hasOwn(cur, k) ? cur[k] : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/**
 * Turns the first zod issue into a reject naming the field (`tokens_input: expected a
 * non-negative integer`), or `field: required field is missing` when the key is absent.
 * Shared by the four WFC adapters.
 *
 * @example
 * const parsed = WfcTaskMetrics.safeParse(record);
 * if (!parsed.success) return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
 */
export function rejectFromIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix = '',
  reason: RejectReason = 'schema',
): Reject {
  const issue = issues[0];
  const path = issue?.path ?? [];
  const field = formatFieldPath(path, prefix) || '(root)';
  const missing = issue?.code === 'invalid_type' && valueAt(input, path) === undefined;
  const message = missing
    ? `${field}: required field is missing`
    : `${field}: ${issue?.message ?? 'invalid value'}`;
  return { reason, message, field };
}
