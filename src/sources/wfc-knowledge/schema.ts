import { parseTimestamp } from '../shared/timestamp.js';

/**
 * The KNOWLEDGE.md grammar (docs/formats/wfc-reviews.md): `## Section Title` headings, and
 * under them list items `- [YYYY-MM-DD] text` or `- text (source: REF, YYYY-MM-DD)`, the date
 * optional in both. Everything is matched with fixed-shape scans, never open-ended regexes.
 */
export interface KnowledgeEntry {
  /** The entry text, whitespace collapsed, without its date and source markers. */
  readonly text: string;
  /** `YYYY-MM-DD`, or null when the entry carries no (valid) date. */
  readonly date: string | null;
  /** What the `(source: ...)` marker names (a task id, a PR), or null. */
  readonly ref: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` calendar date, or null. */
export function calendarDate(value: string): string | null {
  const trimmed = value.trim();
  return DATE.test(trimmed) && parseTimestamp(trimmed) !== null ? trimmed : null;
}

/**
 * The section key of a heading title: lower case, runs of anything but letters and digits
 * become `_`.
 *
 * @example
 * sectionKey('Patterns Found') // 'patterns_found'
 * sectionKey('False Positives / Suppressions') // 'false_positives_suppressions'
 */
export function sectionKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 128);
}

/** The title of a `## ` heading (up to three spaces of indent), or null for any other line. */
export function sectionTitle(line: string): string | null {
  const trimmed = line.trimStart();
  if (line.length - trimmed.length > 3 || !trimmed.startsWith('## ')) return null;
  let title = trimmed.slice(3).trim();
  while (title.endsWith('#')) title = title.slice(0, -1);
  return title.trim();
}

/** True for any ATX heading line (`#` to `######`). */
export function isHeading(line: string): boolean {
  const trimmed = line.trimStart();
  if (line.length - trimmed.length > 3) return false;
  let level = 0;
  while (level < trimmed.length && trimmed[level] === '#') level += 1;
  return level >= 1 && level <= 6 && (trimmed.length === level || trimmed[level] === ' ');
}

/** The text of a top-level list item (`-`, `*` or `+`, at most one space of indent), or null. */
export function listItemText(line: string): string | null {
  const trimmed = line.trimStart();
  if (line.length - trimmed.length > 1) return null;
  const marker = trimmed[0];
  if ((marker !== '-' && marker !== '*' && marker !== '+') || trimmed[1] !== ' ') return null;
  return trimmed.slice(2);
}

/** Splits an item's raw text into its words, its date and its source reference. */
export function parseEntry(raw: string): KnowledgeEntry {
  let body = raw.trim();
  let date: string | null = null;
  let ref: string | null = null;
  if (body.startsWith('[') && body[11] === ']') {
    date = calendarDate(body.slice(1, 11));
    if (date !== null || DATE.test(body.slice(1, 11))) body = body.slice(12).trim();
  }
  const open = body.toLowerCase().lastIndexOf('(source:');
  if (open >= 0 && body.endsWith(')')) {
    const inner = body.slice(open + '(source:'.length, -1).trim();
    const comma = inner.lastIndexOf(',');
    const tailDate = calendarDate(comma >= 0 ? inner.slice(comma + 1) : inner);
    if (tailDate !== null) {
      date ??= tailDate;
      ref = comma >= 0 ? inner.slice(0, comma).trim() : '';
    } else {
      ref = inner;
    }
    if (ref === '') ref = null;
    body = body.slice(0, open);
  }
  return { text: body.replace(/\s+/g, ' ').trim(), date, ref };
}
