/**
 * Bounded label cardinality (RELIABILITY S9). Every free-form label value goes through a
 * `LabelCap`: the first `cap` distinct values are kept, the rest fold into `other`, and each
 * fold is counted on the overflow counter so a scrape shows that something was folded.
 */

/** Distinct values kept per label of one metric; the rest become {@link OTHER}. */
export const LABEL_VALUE_CAP = 100;
/**
 * Series kept per metric of several free-form labels (whose capped values could still
 * multiply); a new combination past it goes to the series whose labels are all {@link OTHER}.
 */
export const SERIES_CAP = 1_000;
/** The value every label value past the cap folds into. */
export const OTHER = 'other';
/** The value of a label the event did not carry. */
export const UNKNOWN = 'unknown';
/** Longest label value kept, in characters; longer ones are cut (the exposition stays small). */
export const MAX_LABEL_VALUE_LENGTH = 128;

/**
 * A label value from whatever an event carried: strings as written (cut to
 * {@link MAX_LABEL_VALUE_LENGTH}), finite numbers as text, anything else (missing, empty,
 * objects) as {@link UNKNOWN}.
 *
 * @example
 * labelValue('security') // 'security'
 * labelValue(null)       // 'unknown'
 */
export function labelValue(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '') return UNKNOWN;
  return value.length > MAX_LABEL_VALUE_LENGTH ? value.slice(0, MAX_LABEL_VALUE_LENGTH) : value;
}

/**
 * Label overflow per metric. Event-counted metrics add one per folded observation; figures
 * recomputed from the store (per model, per reject reason) raise it to the number of distinct
 * values folded, so recomputing never counts the same value twice.
 */
export class OverflowCounter {
  readonly byMetric = new Map<string, number>();

  add(metric: string, n = 1): void {
    this.byMetric.set(metric, (this.byMetric.get(metric) ?? 0) + n);
  }

  atLeast(metric: string, n: number): void {
    if (n > (this.byMetric.get(metric) ?? 0)) this.byMetric.set(metric, n);
  }
}

/**
 * The admitted values of one label: first come, first kept, up to `cap`.
 *
 * @example
 * const cap = new LabelCap(2);
 * [cap.fold('a'), cap.fold('b'), cap.fold('c'), cap.fold('a')] // ['a', 'b', 'other', 'a']
 */
export class LabelCap {
  private readonly admitted = new Set<string>();

  constructor(readonly cap = LABEL_VALUE_CAP) {}

  /** The value itself when admitted (or room is left), else {@link OTHER}. */
  fold(value: string): string {
    if (this.admitted.has(value)) return value;
    if (this.admitted.size < this.cap) {
      this.admitted.add(value);
      return value;
    }
    return OTHER;
  }
}

/** One exposed series: label values by label name, and its value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Series of one metric keyed by their (capped) label values, each holding a cell of state.
 * Folding happens when a cell is looked up, so the number of cells is bounded by the caps.
 *
 * @example
 * const t = new SeriesTable('vigil_findings_total', ['reviewer', 'severity_tier'], overflow, () => ({ n: 0 }));
 * t.cell(['security', 'critical']).n += 1;
 * [...t.samples((c) => c.n)] // [{ labels: { reviewer: 'security', severity_tier: 'critical' }, value: 1 }]
 */
export class SeriesTable<C> {
  private readonly caps: LabelCap[];
  private readonly cells = new Map<string, { labels: Record<string, string>; cell: C }>();

  constructor(
    readonly metric: string,
    readonly labelNames: readonly string[],
    private readonly overflow: OverflowCounter,
    private readonly create: () => C,
    cap = LABEL_VALUE_CAP,
    private readonly maxSeries = SERIES_CAP,
  ) {
    this.caps = labelNames.map(() => new LabelCap(cap));
  }

  /** The cell of these label values (after folding), created on first use. */
  cell(values: readonly string[]): C {
    let folded = false;
    let kept = values.map((v, i) => {
      const f = this.caps[i]?.fold(v) ?? v;
      if (f !== v) folded = true;
      return f;
    });
    let key = JSON.stringify(kept);
    if (!this.cells.has(key) && this.cells.size >= this.maxSeries) {
      kept = values.map(() => OTHER);
      key = JSON.stringify(kept);
      folded = true;
    }
    if (folded) this.overflow.add(this.metric);
    let entry = this.cells.get(key);
    if (entry === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = kept[i] ?? UNKNOWN));
      entry = { labels, cell: this.create() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  /** Every series with the value `valueOf` reads from its cell. */
  *samples(valueOf: (cell: C) => number): Iterable<Sample> {
    for (const { labels, cell } of this.cells.values()) yield { labels, value: valueOf(cell) };
  }
}

/**
 * Folds a complete snapshot of `value → figure` (recomputed from the store or the monitor)
 * through a persistent cap: figures of folded values add up under {@link OTHER}, and the
 * overflow counter is raised to the number of distinct values folded.
 */
export function foldSnapshot(
  metric: string,
  cap: LabelCap,
  overflow: OverflowCounter,
  entries: Iterable<readonly [string, number]>,
): Map<string, number> {
  const out = new Map<string, number>();
  let folded = 0;
  for (const [value, n] of entries) {
    const f = cap.fold(value);
    if (f !== value) folded += 1;
    out.set(f, (out.get(f) ?? 0) + n);
  }
  overflow.atLeast(metric, folded);
  return out;
}
