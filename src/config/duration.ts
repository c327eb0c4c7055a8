const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `90d`, `12h`, `30m`, `2w` or `1500ms` into milliseconds; null when
 * it is not one.
 *
 * @example
 * parseDuration('90d') // 7776000000
 */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}
