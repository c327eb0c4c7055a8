import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { useLiveTick } from './live';

/** The dashboard-wide filters, as they appear in the URL. */
export interface Filters {
  since?: string;
  until?: string;
  model?: string;
  session?: string;
  role?: string;
}

/** Query parameters of an API call; `undefined` and empty strings are left out. */
export type ApiParams = Record<string, string | number | boolean | undefined>;

/** A non-2xx answer from the hub; `message` is the API's own error message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

const TOKEN_KEY = 'vigil.token';

/**
 * The API token when the hub requires one: taken once from `?access_token=` in the page URL
 * (then removed from the address bar) and kept for the tab's session.
 */
export function apiToken(): string | null {
  const search = new URLSearchParams(location.search);
  const given = search.get('access_token');
  if (given !== null && given !== '') {
    sessionStorage.setItem(TOKEN_KEY, given);
    search.delete('access_token');
    const rest = search.toString();
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`,
    );
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * A same-origin URL (path and query) for an API route.
 *
 * @example
 * apiUrl('/api/summary', { since: '7d', model: undefined }) // '/api/summary?since=7d'
 */
export function apiUrl(path: string, params?: ApiParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === '') continue;
    query.set(key, String(value));
  }
  const q = query.toString();
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
}

/** Reads the error message of a failed response: the API's `message`, else the status text. */
async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message !== '') message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(res.status, message);
}

/**
 * GETs a JSON route of the hub.
 *
 * @example
 * const { summary } = await getJson<SummaryResponse>('/api/summary', { since: '7d' });
 */
export async function getJson<T>(
  path: string,
  params?: ApiParams,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = apiToken();
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const init: RequestInit = { headers, credentials: 'same-origin' };
  if (signal) init.signal = signal;
  const res = await fetch(apiUrl(path, params), init);
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** What `useApi` returns. */
export interface ApiResult<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True while a request is in flight (the previous data stays available meanwhile). */
  loading: boolean;
  /** True when `data` answers earlier parameters (they changed; the new answer is on its way). */
  stale?: boolean;
  reload(): void;
}

/**
 * Fetches a JSON route and keeps it current: refetches when the path or parameters change and,
 * when `live` (the default), after new events commit (at most about once a second). The
 * previous data stays while a refetch runs. A `null` path fetches nothing.
 *
 * @example
 * const { data, error, loading } = useApi<SummaryResponse>('/api/summary', { since: '7d' });
 */
export function useApi<T>(
  path: string | null,
  params?: ApiParams,
  options?: { live?: boolean },
): ApiResult<T> {
  const live = options?.live ?? true;
  const tick = useLiveTick();
  const url = path === null ? null : apiUrl(path, params);
  const [manual, setManual] = useState(0);
  const [state, setState] = useState<{
    data: T | undefined;
    error: Error | undefined;
    url: string | null;
  }>({
    data: undefined,
    error: undefined,
    url: null,
  });
  const [loading, setLoading] = useState(path !== null);
  const paramsRef = useRef(params);
  paramsRef.current = params;
  const liveTick = live ? tick : 0;

  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return undefined;
    }
    const controller = new AbortController();
    setLoading(true);
    getJson<T>(path, paramsRef.current, controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        setState({ data, error: undefined, url });
        setLoading(false);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const err = error instanceof Error ? error : new Error(String(error));
        // A failed live refresh keeps the data shown; a failed first load is an error.
        setState((prev) => ({ data: prev.url === url ? prev.data : undefined, error: err, url }));
        setLoading(false);
      },
    );
    return () => controller.abort();
    // `url` covers path and params.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url, liveTick, manual]);

  const reload = useCallback(() => setManual((n) => n + 1), []);
  const stale = state.data !== undefined && state.url !== url;
  return { data: state.data, error: state.error, loading, stale, reload };
}
