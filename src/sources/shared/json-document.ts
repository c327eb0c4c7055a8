import type { z } from 'zod';

import type { DocumentResult } from '../types.js';
import { isJsonObject } from './fields.js';
import { type FieldPathOptions, fieldReject, rejectFromIssues } from './zod-reject.js';

/**
 * One reject of a document adapter: whole-document rejects and per-record ones alike.
 *
 * @example
 * const reject: DocumentReject = { reason: 'invalid_document', message: 'invalid JSON: ...', line: 3 };
 */
export type DocumentReject = DocumentResult['rejects'][number];

/**
 * `text` without a leading byte-order mark.
 *
 * @example
 * stripBom('\uFEFF{"a":1}') // '{"a":1}'
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * `text` parsed as JSON when it is a JSON object, else null (not JSON, cut off, or not an
 * object). For `detect()`, which judges a file by its first line.
 *
 * @example
 * tryParseJsonObject('{"event":"x"}') // { event: 'x' }
 * tryParseJsonObject('{"event":') // null
 */
export function tryParseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** 1-based line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line += 1;
  return line;
}

/**
 * Parses a whole JSON document. Never throws: bad JSON comes back as one `invalid_document`
 * reject with the parser's message. A leading byte-order mark is ignored. With `errorLine`, the
 * reject also names the line when the parser's message gives a position
 * (`invalid JSON at line 3: ...`).
 *
 * @example
 * parseJsonDocument('{"a":1}') // { ok: true, value: { a: 1 } }
 * parseJsonDocument('{"a": }', { errorLine: true }) // { ok: false, reject: { reason: 'invalid_document', line: 1, ... } }
 */
export function parseJsonDocument(
  text: string,
  { errorLine = false }: { readonly errorLine?: boolean } = {},
):
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reject: DocumentReject } {
  const body = stripBom(text);
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = errorLine ? /position (\d+)/.exec(message) : null;
    const line = position ? lineAt(body, Number(position[1])) : null;
    return {
      ok: false,
      reject: {
        reason: 'invalid_document',
        message: `invalid JSON${line === null ? '' : ` at line ${line}`}: ${message}`,
        line,
      },
    };
  }
}

/**
 * A document's result when it yields nothing but one reject.
 *
 * @example
 * if (!json.ok) return documentFailure(json.reject);
 */
export function documentFailure(reject: DocumentReject): DocumentResult {
  return { events: [], rejects: [reject] };
}

/**
 * A document-level `schema` reject of one field (line unknown).
 *
 * @example
 * documentReject('loops', 'expected an array') // { field: 'loops', message: 'loops: expected an array', ... }
 */
export function documentReject(field: string, message: string): DocumentReject {
  return { ...fieldReject(field, message), line: null };
}

/**
 * {@link rejectFromIssues} for a part of a document (line unknown): the field and message
 * carry the part's full path.
 *
 * @example
 * documentRejectFromIssues(issues, raw, { prefix: 'findings[3]' })
 * // { reason: 'schema', field: 'findings[3].severity_tier', message: 'findings[3].severity_tier: ...', line: null }
 */
export function documentRejectFromIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  options: FieldPathOptions = {},
): DocumentReject {
  return { ...rejectFromIssues(issues, input, options), line: null };
}

/**
 * Validates one element of a document's array on its own, so a bad one can be rejected and
 * the others kept: not an object is `prefix: expected an object`; a zod failure names the field
 * under `prefix`. `prepare` rewrites the object (aliases) before validation.
 *
 * @example
 * const item = parseDocumentItem(raw, BypassRecord, 'bypasses[3]');
 * if (!item.ok) rejects.push(item.reject); // e.g. 'bypasses[3].tier: expected one of ...'
 */
export function parseDocumentItem<T>(
  item: unknown,
  schema: z.ZodType<T>,
  prefix: string,
  prepare: (item: Record<string, unknown>) => Record<string, unknown> = (raw) => raw,
):
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reject: DocumentReject } {
  if (!isJsonObject(item))
    return { ok: false, reject: documentReject(prefix, 'expected an object') };
  const input = prepare(item);
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reject: documentRejectFromIssues(parsed.error.issues, input, { prefix }) };
}
