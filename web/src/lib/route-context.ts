import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import type { Filters } from './api';

/** The names of the dashboard-wide filters, as URL parameters. */
export const FILTER_KEYS = ['since', 'until', 'model', 'session', 'role'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Where the dashboard is: `#/<view>/<path...>?<params>`. */
export interface Route {
  view: string;
  path: string[];
  params: Record<string, string>;
}

/** The route, its filters and a way to change the URL's parameters (a new history entry). */
export interface RouteState extends Route {
  filters: Filters;
  setParams(next: Record<string, string | undefined>, options?: { replace?: boolean }): void;
}

/**
 * Parses a location hash into a route.
 *
 * @example
 * parseHash('#/sessions/s1?since=7d') // { view: 'sessions', path: ['s1'], params: { since: '7d' } }
 */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const pathPart = q === -1 ? raw : raw.slice(0, q);
  const segments = pathPart
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const params: Record<string, string> = {};
  if (q !== -1) {
    for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) if (v !== '') params[k] = v;
  }
  return { view: segments[0] ?? '', path: segments.slice(1), params };
}

/**
 * Builds a hash for a route.
 *
 * @example
 * buildHash('sessions', ['s 1'], { since: '7d' }) // '#/sessions/s%201?since=7d'
 */
export function buildHash(
  view: string,
  path: readonly string[] = [],
  params: Record<string, string | undefined> = {},
): string {
  const segs = [view, ...path].map(encodeURIComponent).join('/');
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, v);
  const qs = query.toString();
  return `#/${segs}${qs ? `?${qs}` : ''}`;
}

/** The filters among a route's parameters. */
export function filtersOf(params: Record<string, string>): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const v = params[key];
    if (v !== undefined && v !== '') filters[key] = v;
  }
  return filters;
}

export const RouteContext = createContext<RouteState>({
  view: '',
  path: [],
  params: {},
  filters: {},
  setParams: () => undefined,
});

/** The current route and its setters (inside the app shell). */
export function useRoute(): RouteState {
  return useContext(RouteContext);
}
