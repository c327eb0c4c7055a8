import type { z } from 'zod';

import type { DocumentResult } from '../types.js';

/** One reject of a document adapter: whole-document rejects and per-record ones alike. */
export type DocumentReject = DocumentResult['rejects'][number];

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses a whole JSON document. Never throws: bad JSON comes back as one `invalid_document`
 * reject. A leading byte-order mark is ignored.
 *
 * @example
 * readJsonDocument('{"a":1}') // { ok: true, value: { a: 1 } }
 */
export function readJsonDocument(
  text: string,
):
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reject: DocumentReject } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      reject: { reason: 'invalid_document', line: null, message: `invalid JSON: ${detail}` },
    };
  }
}

/** Formats a zod path under a prefix: `findings[3].severity_tier`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof key === 'symbol') return undefined;
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isRecord(value) && Object.hasOwn(value, key)) value = value[String(key)];
    else return undefined;
  }
  return value;
}

/**
 * Turns the first zod issue into a reject naming the field (`findings[3].severity_tier: ...`);
 * an absent field says `required field is missing`.
 */
export function issueToReject(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix = '',
): DocumentReject {
  const issue = issues[0];
  const path = issue?.path ?? [];
  const field = formatPath(prefix, path);
  const missing = issue?.code === 'invalid_type' && valueAt(input, path) === undefined;
  const detail = missing ? 'required field is missing' : (issue?.message ?? 'invalid value');
  return { reason: 'schema', line: null, field, message: `${field}: ${detail}` };
}
