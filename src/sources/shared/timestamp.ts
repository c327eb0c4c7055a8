const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses an ISO-8601 timestamp into epoch milliseconds (UTC). Timestamps without a zone
 * designator (Python's naive `datetime.isoformat()`) are UTC. Numbers are epoch seconds when
 * below 1e11, milliseconds otherwise. Returns null for anything else.
 *
 * @example
 * parseTimestamp('2026-02-16T14:30:00Z') // 1771252200000
 * parseTimestamp('2026-02-16T14:30:00.123456') // naive: UTC
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    return Math.round(value < 1e11 ? value * 1000 : value);
  }
  if (typeof value !== 'string' || value.length > 40) return null;
  const fast = parseCanonicalUtc(value);
  if (fast !== undefined) return fast;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  let t = utcMs(
    Number(y),
    Number(mo),
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0,
  );
  if (t === null) return null;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

/** Epoch ms of a UTC date and time, or null when a field is out of range. */
function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return null;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[month - 1] as number))) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Milliseconds of a three-digit fraction, as the general path computes them
 * (`Math.floor(Number('0.xyz') * 1000)`, floating point included), by table.
 */
const FRACTION_MS = Array.from({ length: 1000 }, (_, n) =>
  Math.floor(Number(`0.${String(n).padStart(3, '0')}`) * 1000),
);

/** The digits at [at, at + count) of `s` as a number, or -1 if one is not a digit. */
function digitsAt(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The common spellings `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS.mmmZ` (JavaScript's
 * `toISOString()`) without the regular expression: the same result as the general path, or
 * undefined for any other spelling (the general path decides).
 */
function parseCanonicalUtc(s: string): number | null | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 0x5a) return undefined;
  if (
    s.charCodeAt(4) !== 0x2d ||
    s.charCodeAt(7) !== 0x2d ||
    s.charCodeAt(10) !== 0x54 ||
    s.charCodeAt(13) !== 0x3a ||
    s.charCodeAt(16) !== 0x3a ||
    (n === 24 && s.charCodeAt(19) !== 0x2e)
  ) {
    return undefined;
  }
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  const frac = n === 24 ? digitsAt(s, 20, 3) : 0;
  if ((year | month | day | hour | minute | second | frac) < 0) return undefined;
  return utcMs(year, month, day, hour, minute, second, FRACTION_MS[frac] as number);
}

/** Formats epoch ms as ISO-8601 UTC (`2026-02-16T14:30:00.000Z`). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
