/** Time-range values as the API reads `since` and `until`, parsed in the browser too. */

const DAY_MS = 86_400_000;
const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a `since`/`until` value as the API does: `now`, a duration back from now (`7d`,
 * `12h`), a date (`2026-02-16`: its start, or as `until` its end, UTC), an ISO-8601 time
 * (UTC without a zone) or epoch milliseconds. Null when the API would refuse it.
 *
 * @example
 * parseTimeInput('2026-02-16', 'until', Date.now()) // Date.parse('2026-02-17T00:00:00Z')
 */
export function parseTimeInput(value: string, as: 'since' | 'until', now: number): number | null {
  const v = value.trim();
  if (v === '') return null;
  if (v === 'now') return now;
  const ago = /^(\d{1,9})(ms|s|m|h|d|w)$/.exec(v);
  if (ago) return now - Number(ago[1]) * (UNITS[ago[2] ?? 'ms'] ?? 1);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(t)) return null;
    return as === 'until' ? t + DAY_MS : t;
  }
  if (/^\d{11,15}$/.test(v)) return Number(v);
  if (ISO_TIME.test(v)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`;
    const t = Date.parse(zoned.replace(' ', 'T'));
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/**
 * The absolute range of the filters as the API reads them: `until` defaults to now and `since`
 * to `defaultSpanMs` back from now (not from `until`, as `/api/summary` does).
 */
export function resolveRange(
  since: string | undefined,
  until: string | undefined,
  defaultSpanMs: number,
  now = Date.now(),
): { since: number; until: number } {
  const end = (until ? parseTimeInput(until, 'until', now) : null) ?? now;
  const start = (since ? parseTimeInput(since, 'since', now) : null) ?? now - defaultSpanMs;
  return { since: start, until: end };
}

/**
 * Splits a range into at most `max` consecutive buckets: whole UTC days when they fit, else
 * equal spans.
 */
export function bucketsOf(
  range: { since: number; until: number },
  max = 14,
): { since: number; until: number }[] {
  const span = range.until - range.since;
  if (span <= 0) return [];
  const days = Math.ceil(span / DAY_MS);
  const size = days <= max ? DAY_MS : Math.ceil(span / max);
  const out: { since: number; until: number }[] = [];
  for (let t = range.since; t < range.until; t += size)
    out.push({ since: t, until: Math.min(t + size, range.until) });
  return out.slice(-max);
}

/** An instant as the API's ISO-8601 form. */
export const isoOf = (ms: number): string => new Date(ms).toISOString();

/**
 * The period just before a range, of the same length: what a KPI's change is measured against.
 *
 * @example
 * previousRange({ since: 100, until: 200 }) // { since: 0, until: 100 }
 */
export function previousRange(range: { since: number; until: number }): {
  since: number;
  until: number;
} {
  const span = Math.max(1, range.until - range.since);
  return { since: range.since - span, until: range.since };
}

/** Splits a range into UTC days (epoch ms at 00:00), at most `max` of them (the latest). */
export function daysOf(range: { since: number; until: number }, max = 400): number[] {
  const first = Math.floor(range.since / DAY_MS) * DAY_MS;
  const days: number[] = [];
  for (let d = first; d < range.until; d += DAY_MS) days.push(d);
  return days.slice(-max);
}

export { DAY_MS };
