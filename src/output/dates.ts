import { VigilError } from '../core/errors.js';
import { parseTimestamp } from '../sources/shared/timestamp.js';
import { parseDuration } from '../config/duration.js';

const DAY_MS = 86_400_000;

/**
 * Parses a `--since`/`--until` value: a date (`2026-02-10`, the start of that UTC day, or for
 * `--until` the end of it), an ISO-8601 time, a duration back from now (`7d`, `12h`), or `now`.
 */
export function parseTimeFlag(value: string, flag: '--since' | '--until', now: number): number {
  const v = value.trim();
  if (v === 'now') return now;
  const ago = parseDuration(v);
  if (ago !== null) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = parseTimestamp(`${v}T00:00:00Z`);
    if (t !== null) return flag === '--until' ? t + DAY_MS : t;
  }
  const t = parseTimestamp(v);
  if (t !== null) return t;
  throw new VigilError(
    'VIGIL_ERR_USAGE',
    `Invalid date for ${flag}: ${value}. Use YYYY-MM-DD, an ISO-8601 time (2026-02-16T14:30:00Z) or a duration back from now (7d, 12h)`,
  );
}

/** `YYYY-MM-DD` of an instant, UTC. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Formats a period as the KPI tracker does: the first and the last day it covers. */
export function periodDates(start: number, end: number): { start: string; end: string } {
  return { start: isoDate(start), end: isoDate(Math.max(start, end - 1)) };
}
