import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import type { ApiResult } from './api';
import { useLiveTick } from './live';

export interface AsyncOptions {
  /** Re-run after new events commit (default true). */
  live?: boolean;
  /** At most one live re-run per this many ms (default 0: every live tick). */
  liveIntervalMs?: number;
}

/**
 * Runs an async loader (several API calls, say) and keeps its result like `useApi`: re-runs
 * when `key` changes and, when live, after commits (throttled by `liveIntervalMs`), keeping
 * the previous result meanwhile. The loader gets an AbortSignal that fires when superseded.
 *
 * @example
 * const days = useAsync((signal) => Promise.all(ranges.map((r) => getJson(url, r, signal))),
 *   JSON.stringify(ranges), { liveIntervalMs: 15_000 });
 */
export function useAsync<T>(
  load: ((signal: AbortSignal) => Promise<T>) | null,
  key: string,
  options?: AsyncOptions,
): ApiResult<T> {
  const tick = useLiveTick();
  const live = options?.live ?? true;
  const interval = options?.liveIntervalMs ?? 0;
  const [state, setState] = useState<{
    data: T | undefined;
    error: Error | undefined;
    key: string | null;
  }>({
    data: undefined,
    error: undefined,
    key: null,
  });
  const [loading, setLoading] = useState(load !== null);
  const [manual, setManual] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  const lastRun = useRef(0);
  const [liveRun, setLiveRun] = useState(0);

  // Live ticks become runs no more often than `interval`.
  useEffect(() => {
    if (!live || tick === 0) return undefined;
    const wait = lastRun.current + interval - Date.now();
    if (wait <= 0) {
      setLiveRun(tick);
      return undefined;
    }
    const t = setTimeout(() => setLiveRun(tick), wait);
    return () => clearTimeout(t);
  }, [tick, live, interval]);

  useEffect(() => {
    const fn = loader.current;
    if (fn === null) {
      setLoading(false);
      return undefined;
    }
    const controller = new AbortController();
    lastRun.current = Date.now();
    setLoading(true);
    fn(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        setState({ data, error: undefined, key });
        setLoading(false);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const err = error instanceof Error ? error : new Error(String(error));
        setState((prev) => ({ data: prev.key === key ? prev.data : undefined, error: err, key }));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, liveRun, manual, load === null]);

  const reload = useCallback(() => setManual((n) => n + 1), []);
  const stale = state.data !== undefined && state.key !== key;
  return { data: state.data, error: state.error, loading, stale, reload };
}

/**
 * Maps over items with at most `limit` promises in flight, keeping order.
 *
 * @example
 * await mapLimit(days, 4, (d) => getJson('/api/summary', d));
 */
export async function mapLimit<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<O>,
): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
