/** Display formatting shared by every view; each returns '—' for null or undefined. */

const DASH = '—';
const isNum = (n: number | null | undefined): n is number =>
  typeof n === 'number' && Number.isFinite(n);

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/**
 * A count or measure: grouped below 100,000, compact above.
 *
 * @example
 * formatNumber(1234) // '1,234'
 * formatNumber(2_500_000) // '2.5M'
 */
export function formatNumber(n: number | null | undefined): string {
  if (!isNum(n)) return DASH;
  return Math.abs(n) >= 100_000 ? compact.format(n) : whole.format(n);
}

/**
 * US dollars, with more digits for small amounts.
 *
 * @example
 * formatUsd(0.10515) // '$0.1052'
 * formatUsd(1234.5) // '$1,234.50'
 */
export function formatUsd(n: number | null | undefined): string {
  if (!isNum(n)) return DASH;
  const abs = Math.abs(n);
  const digits = abs === 0 ? 2 : abs < 1 ? 4 : 2;
  return new Intl.NumberFormat('en', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

/**
 * A ratio (0-1) as a percentage.
 *
 * @example
 * formatPercent(0.6) // '60.0%'
 */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (!isNum(ratio)) return DASH;
  return `${(ratio * 100).toFixed(digits)}%`;
}

/**
 * A duration in milliseconds, in the two largest units.
 *
 * @example
 * formatDurationMs(775_242) // '12m 55s'
 * formatDurationMs(850) // '850 ms'
 */
export function formatDurationMs(ms: number | null | undefined): string {
  if (!isNum(ms)) return DASH;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    if (rest >= size || parts.length > 0) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

const toDate = (t: string | number | Date): Date => (t instanceof Date ? t : new Date(t));

/**
 * A time of day with its date, in the viewer's time zone.
 *
 * @example
 * formatTime('2026-02-16T09:15:06.599Z') // '2026-02-16 09:15:06' (in UTC)
 */
export function formatTime(t: string | number | Date | null | undefined): string {
  if (t === null || t === undefined || t === '') return DASH;
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${formatDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A calendar date (YYYY-MM-DD) in the viewer's time zone.
 *
 * @example
 * formatDate('2026-02-16T09:15:06.599Z') // '2026-02-16' (in UTC)
 */
export function formatDate(t: string | number | Date | null | undefined): string {
  if (t === null || t === undefined || t === '') return DASH;
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A change between two periods as a signed percentage, e.g. '+12.5%'. */
export function formatDelta(delta: number | null | undefined): string {
  if (!isNum(delta)) return DASH;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  return `${sign}${Math.abs(delta * 100).toFixed(1)}%`;
}
