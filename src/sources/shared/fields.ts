import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Keys never copied from input into attributes (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A non-empty string, or null. Numbers are stringified (ids are sometimes numeric). */
export function str(value: unknown, max = 4096): string | null {
  if (typeof value === 'string') return value.length > 0 ? value.slice(0, max) : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A finite non-negative number, or null. Numeric strings are accepted. */
export function num(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

/** A non-negative integer count, or null. */
export function int(value: unknown): number | null {
  const n = num(value);
  return n === null ? null : Math.round(n);
}

/** Adds two nullable counts; null only if both are null. */
export function addCounts(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

/**
 * True for a JSON object: not null, not an array.
 *
 * @example
 * isJsonObject({ a: 1 }) // true
 * isJsonObject([1]) // false
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Copies a plain JSON value, dropping `__proto__`/`constructor`/`prototype` keys at any depth
 * and capping depth, so attributes can never pollute prototypes.
 */
export function cleanJson(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 16) return null;
  if (Array.isArray(value)) return value.map((v) => cleanJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    out[key] = cleanJson((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

/** The attributes of `record` other than the `known` keys, cleaned. */
export function pickAttrs(
  record: Record<string, unknown>,
  known: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (known.has(key) || FORBIDDEN_KEYS.has(key)) continue;
    out[key] = cleanJson(record[key]);
  }
  return out;
}

/** A short, stable hex digest of the parts (sha1, 24 hex chars). */
export function digest(...parts: readonly (string | number)[]): string {
  const h = createHash('sha1');
  for (const part of parts) {
    h.update(String(part));
    h.update('\u0000');
  }
  return h.digest('hex').slice(0, 24);
}

/** A deterministic event id for sources that have none: `adapter:digest(parts)`. */
export function deriveId(adapter: string, ...parts: readonly (string | number)[]): string {
  return `${adapter}:${digest(...parts)}`;
}

const ROTATION_SUFFIX = /(?:\.\d+|[.-]\d{8}(?:[T-]?\d{4,6})?)(?:\.gz)?$/;

/**
 * The logical stream of a file: its path with a rotation suffix removed, so `events.jsonl.1`
 * and `events.jsonl-20260101` are the same stream as `events.jsonl`.
 *
 * @example
 * logicalPathOf('/x/events.jsonl.1') // '/x/events.jsonl'
 */
export function logicalPathOf(path: string): string {
  const name = basename(path);
  const stripped = name.replace(ROTATION_SUFFIX, '');
  return stripped.length > 0 && stripped !== name ? join(dirname(path), stripped) : path;
}
