import type { z } from 'zod';

import { rejectFromIssues } from '../kpi/parser.js';
import type { DocumentResult, Reject } from '../types.js';

type DocumentReject = DocumentResult['rejects'][number];

/** 1-based line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line += 1;
  return line;
}

/**
 * Parses a JSON document; a syntax error becomes one `invalid_document` reject with the
 * parser's message and, when the message gives a position, its line.
 *
 * @example
 * parseJsonDocument('{"a": }') // { ok: false, reject: { reason: 'invalid_document', line: 1, ... } }
 */
export function parseJsonDocument(
  text: string,
): { ok: true; value: unknown } | { ok: false; reject: DocumentReject } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
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
 * A zod failure on a part of a document (`loops.2`, `providers.claude`) as a reject whose field
 * and message carry the full path: `loops.2.attempts.0.started_at: required field is missing`.
 * An empty prefix means the document root.
 *
 * @example
 * rejectAt(ResolutionLoop.safeParse(raw).error.issues, raw, 'loops.2')
 */
export function rejectAt(
  issues: readonly z.core.$ZodIssue[],
  value: unknown,
  prefix: string,
): DocumentReject {
  const record: Record<string, unknown> =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value))
      : {};
  const inner: Reject = rejectFromIssues(issues, record);
  const innerField = inner.field === '(root)' || inner.field === undefined ? '' : inner.field;
  const field = [prefix, innerField].filter((part) => part !== '').join('.') || '(root)';
  const rest = inner.message.slice((inner.field ?? '').length);
  return { reason: 'schema', field, message: `${field}${rest}`, line: null };
}

/**
 * A document-level `schema` reject (line unknown).
 *
 * @example
 * documentReject('loops', 'expected an array') // { field: 'loops', message: 'loops: expected an array', ... }
 */
export function documentReject(field: string, message: string): DocumentReject {
  return { reason: 'schema', field, message: `${field}: ${message}`, line: null };
}
