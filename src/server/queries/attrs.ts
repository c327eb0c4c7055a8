/** Typed reads of an event's free-form `attrs`: a wrong type reads as null, never throws. */
type Attrs = Readonly<Record<string, unknown>>;

export function attrString(attrs: Attrs, key: string): string | null {
  const v = attrs[key];
  return typeof v === 'string' ? v : null;
}

export function attrNumber(attrs: Attrs, key: string): number | null {
  const v = attrs[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function attrBoolean(attrs: Attrs, key: string): boolean | null {
  const v = attrs[key];
  return typeof v === 'boolean' ? v : null;
}

export function attrStrings(attrs: Attrs, key: string): string[] {
  const v = attrs[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function attrObject(attrs: Attrs, key: string): Record<string, unknown> | null {
  const v = attrs[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

/** Rounds to `digits` decimals (floating-point noise out of averages and rates). */
export function round(n: number, digits = 6): number {
  return Number(n.toFixed(digits));
}

/** `a / b` rounded, or null when `b` is 0. */
export function ratio(a: number, b: number, digits = 6): number | null {
  return b > 0 ? round(a / b, digits) : null;
}

/** The mean of `values` rounded, or null when empty. */
export function mean(values: readonly number[], digits = 6): number | null {
  return values.length > 0
    ? round(values.reduce((s, v) => s + v, 0) / values.length, digits)
    : null;
}

/** The least and greatest of `values` (a loop: spreading a large array into Math.min throws). */
export function extent(values: readonly number[]): { min: number; max: number } | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Groups items by a key, keeping first-seen key order and item order. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}
