import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';

import { getJson, useApi, type ApiParams } from './api';

export interface PagedResult<T> {
  /** Every item loaded so far (first page refreshed live, later pages as loaded), deduplicated. */
  items: T[];
  error: Error | undefined;
  /** True until the first page answered. */
  loading: boolean;
  /** True while a further page is being read. */
  loadingMore: boolean;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
  /** The first page's full response (for totals and counts beside the list). */
  first: unknown;
}

/**
 * A cursor-paginated list route (`next_cursor` / `cursor`): the first page kept live like
 * `useApi`, then "load more" pages appended, as far as the list goes.
 *
 * @example
 * const list = usePagedApi<Review>('/api/reviews', { since, limit: 200 }, (r) => r.reviews, (r) => r.id);
 */
export function usePagedApi<T>(
  path: string | null,
  params: ApiParams,
  pick: (response: never) => T[],
  keyOf: (item: T) => string,
): PagedResult<T> {
  const first = useApi<Record<string, unknown>>(path, params);
  const key = `${path ?? ''}?${JSON.stringify(params)}`;
  const [more, setMore] = useState<{ key: string; items: T[]; cursor: string | null | undefined }>({
    key,
    items: [],
    cursor: undefined,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>(undefined);

  useEffect(() => {
    setMore({ key, items: [], cursor: undefined });
    setMoreError(undefined);
  }, [key]);

  const firstCursor = (first.data?.['next_cursor'] as string | null | undefined) ?? null;
  const cursor = more.key === key && more.cursor !== undefined ? more.cursor : firstCursor;

  const loadMore = useCallback(() => {
    if (path === null || cursor === null || loadingMore) return;
    setLoadingMore(true);
    getJson<Record<string, unknown>>(path, { ...params, cursor }).then(
      (page) => {
        const items = pick(page as never);
        setMore((m) => ({
          key,
          items: [...(m.key === key ? m.items : []), ...items],
          cursor: (page['next_cursor'] as string | null | undefined) ?? null,
        }));
        setLoadingMore(false);
      },
      (error: unknown) => {
        setMoreError(error instanceof Error ? error : new Error(String(error)));
        setLoadingMore(false);
      },
    );
    // `params` is covered by `key`.
  }, [path, cursor, loadingMore, key]);

  const items = useMemo(() => {
    const seen = new Set<string>();
    const out: T[] = [];
    const all = [
      ...(first.data ? pick(first.data as never) : []),
      ...(more.key === key ? more.items : []),
    ];
    for (const item of all) {
      const k = keyOf(item);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(item);
    }
    return out;
  }, [first.data, more, key]);

  return {
    items,
    error: first.data === undefined ? first.error : moreError,
    loading: (first.data === undefined && first.error === undefined) || first.stale === true,
    loadingMore,
    hasMore: cursor !== null,
    loadMore,
    reload: first.reload,
    first: first.data,
  };
}
