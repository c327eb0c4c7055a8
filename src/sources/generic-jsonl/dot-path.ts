/** Segments a dot path may never name: walking them would reach into prototypes. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * Why a dot path is unusable, or null when it is fine.
 *
 * @example
 * dotPathProblem('usage..tokens') // 'empty segment in "usage..tokens"; write usage.tokens'
 */
export function dotPathProblem(path: string): string | null {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) {
    return `empty segment in "${path}"; write it as ${segments.filter((s) => s !== '').join('.') || 'a field name'}`;
  }
  const bad = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  return bad === undefined ? null : `segment "${bad}" is not allowed in a dot path`;
}

/**
 * Reads `path` (already split on dots) from a parsed JSON record, through own properties only:
 * never `__proto__`, `constructor` or `prototype`, never a getter. Numeric segments index
 * arrays (`choices.0.text`). A key that itself contains dots is matched whole first.
 *
 * @example
 * getAtPath({ usage: { prompt_tokens: 12 } }, ['usage', 'prompt_tokens']) // 12
 */
export function getAtPath(record: Record<string, unknown>, segments: readonly string[]): unknown {
  if (segments.length > 1) {
    const whole = segments.join('.');
    if (Object.hasOwn(record, whole)) return Object.getOwnPropertyDescriptor(record, whole)?.value;
  }
  let current: unknown = record;
  for (const segment of segments) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d{1,9}$/.test(segment)) return undefined;
      current = current[Number(segment)];
      continue;
    }
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = Object.getOwnPropertyDescriptor(current, segment)?.value;
  }
  return current;
}
