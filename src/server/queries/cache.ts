/**
 * A small time-to-live cache for computed query results. Concurrent requests for the same key
 * share one computation; a failed computation is not kept; `invalidate()` drops everything
 * (the routes call it when the live bus reports a commit that can change the answer).
 *
 * @example
 * const cache = new QueryCache<Summary>(config.server.cacheTtlMs);
 * const summary = await cache.get(request.url, () => computeSummary(...));
 */
export class QueryCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();
  /** Computations started (cache misses), for tests and diagnostics. */
  computations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 256,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string, compute: () => Promise<V>): Promise<V> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value;
    this.computations += 1;
    const value = compute();
    if (this.ttlMs <= 0) return value;
    const entry = { at: now, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    // Map keeps insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  invalidate(): void {
    this.entries.clear();
  }
}
