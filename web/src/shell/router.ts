import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';

import { buildHash, filtersOf, parseHash, type Route, type RouteState } from '../lib/route-context';

/**
 * The hash router: `#/<view>/<path...>?<params>`. Every change of view or parameter is a
 * history entry (back and forward work; links can be shared); `replace` edits the current one.
 */
export function useHashRoute(defaultView: string): RouteState {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));

  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    if (parseHash(location.hash).view === '') {
      history.replaceState(history.state, '', buildHash(defaultView));
      onChange();
    }
    return () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
    };
  }, [defaultView]);

  const setParams = useCallback(
    (next: Record<string, string | undefined>, options?: { replace?: boolean }) => {
      const current = parseHash(location.hash);
      const params: Record<string, string | undefined> = { ...current.params, ...next };
      const hash = buildHash(current.view || defaultView, current.path, params);
      if (hash === location.hash) return;
      if (options?.replace) {
        history.replaceState(history.state, '', hash);
        setRoute(parseHash(hash));
      } else {
        location.hash = hash;
      }
    },
    [defaultView],
  );

  return useMemo(
    () => ({
      ...route,
      view: route.view || defaultView,
      filters: filtersOf(route.params),
      setParams,
    }),
    [route, defaultView, setParams],
  );
}
