import { HOUR_MS } from '../../core/rollup.js';
import { parseTimeFlag } from '../../output/dates.js';

export { HOUR_MS };
export const DAY_MS = 86_400_000;

/** The furthest instant a JS Date holds, either side of the epoch (±100,000,000 days). */
export const MAX_TIME_MS = 8.64e15;

/** Every instant a Date holds, in whole hours (so the store answers from its hourly rollups). */
export const ALL_TIME: Readonly<TimeWindow> = {
  since: Math.floor(-MAX_TIME_MS / HOUR_MS) * HOUR_MS,
  until: Math.floor(MAX_TIME_MS / HOUR_MS) * HOUR_MS,
};

/** What a `since`/`until` query parameter accepts, for error messages and the API docs. */
export const TIME_FORMS =
  'an ISO-8601 time (2026-02-16T14:30:00Z), a date (2026-02-16; as `until`, the end of that day), epoch milliseconds (1771252200000) or a duration back from now (7d, 12h)';

/**
 * Parses a `since`/`until` query value the way `vigil summary --since/--until` does (dates,
 * ISO-8601 times, durations back from `now`, `now`), and also epoch milliseconds. Null when it
 * is none of them.
 *
 * @example
 * parseApiTime('2026-02-16', 'until', Date.now()) // 2026-02-17T00:00:00Z
 * parseApiTime('1771252200000', 'since', Date.now()) // 1771252200000
 */
export function parseApiTime(value: string, bound: 'since' | 'until', now: number): number | null {
  const v = value.trim();
  let ms: number;
  if (/^\d{1,16}$/.test(v)) ms = Number(v);
  else {
    try {
      ms = parseTimeFlag(v, bound === 'since' ? '--since' : '--until', now);
    } catch {
      return null;
    }
  }
  // Beyond a Date's range nothing can be stored, and no answer could print the bound.
  return Math.abs(ms) <= MAX_TIME_MS ? ms : null;
}

/** A time window, epoch ms: `since` inclusive, `until` exclusive. */
export interface TimeWindow {
  since: number;
  until: number;
}

/** ISO-8601 UTC of epoch ms, or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms)
    ? null
    : new Date(ms).toISOString();
}

/** ISO-8601 UTC of epoch ms (never null). */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
