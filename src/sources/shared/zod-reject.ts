import type { z } from 'zod';

import type { Reject } from '../types.js';
import { isJsonObject } from './fields.js';

/*
 * The zod-issue-to-reject conversion every adapter uses: one wording for every field error
 * (`tokens_input: expected a non-negative integer`, `tasks[3].tokens: required field is missing`).
 */

/**
 * How a field path spells array indices: `tasks[3].tokens` (`brackets`, the default) or
 * `reviewers.0` (`dots`, the WVO and task-board adapters' spelling).
 *
 * @example
 * const style: FieldPathStyle = 'dots';
 */
export type FieldPathStyle = 'brackets' | 'dots';

/**
 * Where the validated value sits in the input, and how its field paths are spelt.
 *
 * @example
 * const options: FieldPathOptions = { prefix: 'loops.2', style: 'dots' };
 */
export interface FieldPathOptions {
  /** The validated value's own path in the input (`data`, `tasks[3]`, `loops.2`); '' at the root. */
  readonly prefix?: string;
  readonly style?: FieldPathStyle;
}

/**
 * Formats a zod issue path as the field name a user sees, under `prefix`; '' for the root.
 *
 * @example
 * formatFieldPath(['tasks', 3, 'tokens']) // 'tasks[3].tokens'
 * formatFieldPath(['tokens'], { prefix: 'tasks[3]' }) // 'tasks[3].tokens'
 * formatFieldPath(['attempts', 0], { prefix: 'loops.2', style: 'dots' }) // 'loops.2.attempts.0'
 */
export function formatFieldPath(
  path: readonly PropertyKey[],
  { prefix = '', style = 'brackets' }: FieldPathOptions = {},
): string {
  if (style === 'dots') {
    return [prefix, path.map(String).join('.')].filter((part) => part !== '').join('.');
  }
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
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
 * The first zod issue, as a field name and a message that starts with it.
 *
 * @example
 * const d: IssueDescription = { field: 'task_id', missing: true,
 *   message: 'task_id: required field is missing' };
 */
export interface IssueDescription {
  /** The field path (see {@link formatFieldPath}), `(root)` for the value itself. */
  readonly field: string;
  /** True when the issue is a type error on a key absent from the input. */
  readonly missing: boolean;
  /** `field: required field is missing` when `missing`, else `field: <zod message>`. */
  readonly message: string;
}

/**
 * Describes the first zod issue: the field it names and the message to show. For adapters
 * that pick a reason of their own (KPI's `unknown_type`); others use {@link rejectFromIssues}.
 *
 * @example
 * const { field, missing, message } = describeFirstIssue(parsed.error.issues, record);
 * // field 'event_type', missing false, message 'event_type: expected one of ...'
 */
export function describeFirstIssue(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  options: FieldPathOptions = {},
): IssueDescription {
  const issue = issues[0];
  const path = issue?.path ?? [];
  const field = formatFieldPath(path, options) || '(root)';
  const missing = issue?.code === 'invalid_type' && valueAt(input, path) === undefined;
  const message = missing
    ? `${field}: required field is missing`
    : `${field}: ${issue?.message ?? 'invalid value'}`;
  return { field, missing, message };
}

/**
 * Turns the first zod issue into a `schema` reject naming the field (`tokens_input: expected a
 * non-negative integer`), or `field: required field is missing` when the key is absent from
 * `input` (checked along the whole path, so `tasks[3].tokens` is found too).
 *
 * @example
 * const parsed = WfcTaskMetrics.safeParse(record);
 * if (!parsed.success) return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
 * rejectFromIssues(payloadIssues, payload, { prefix: 'data' }) // field 'data.cs'
 */
export function rejectFromIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  options: FieldPathOptions = {},
): Reject {
  const { field, message } = describeFirstIssue(issues, input, options);
  return { reason: 'schema', message, field };
}

/**
 * A `schema` reject of one field, its message prefixed with the field name.
 *
 * @example
 * fieldReject('timestamp', 'expected an ISO-8601 date-time')
 * // { reason: 'schema', field: 'timestamp', message: 'timestamp: expected an ISO-8601 date-time' }
 */
export function fieldReject(field: string, message: string): Reject {
  return { reason: 'schema', field, message: `${field}: ${message}` };
}

/**
 * Validates one line's record: its parsed value, or the reject naming the first bad field
 * (see {@link rejectFromIssues}), which is already a failed `RecordResult`.
 *
 * @example
 * const parsed = validateRecord(WfcTaskMetrics, record);
 * if (!parsed.ok) return parsed;
 * const m = parsed.value;
 */
export function validateRecord<T>(
  schema: z.ZodType<T>,
  record: Record<string, unknown>,
  options: FieldPathOptions = {},
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reject: Reject } {
  const parsed = schema.safeParse(record);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reject: rejectFromIssues(parsed.error.issues, record, options) };
}
