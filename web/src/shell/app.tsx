import { useEffect, useRef, useState } from 'preact/hooks';

import { buildHash, FILTER_KEYS, RouteContext } from '../lib/route-context';
import { DEFAULT_VIEW, VIEWS, type ViewEntry } from '../views/index';
import { ConnectionIndicator } from './connection-indicator';
import { ErrorBoundary } from './error-boundary';
import { useHashRoute } from './router';
import { useTheme } from './theme';

const GROUPS: ViewEntry['group'][] = ['Delivery', 'Quality', 'Operations'];

/** Links keep the dashboard-wide filters, so switching views keeps the range and model. */
function navParams(params: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const v = params[key];
    if (v !== undefined) kept[key] = v;
  }
  return kept;
}

function NotFound({ view }: { view: string }) {
  return (
    <section class="view" data-view={view} data-state="error">
      <div class="view-error" role="alert">
        <strong>No view named “{view}”.</strong>{' '}
        <a href={buildHash(DEFAULT_VIEW)}>Go to the overview</a>
      </div>
    </section>
  );
}

/**
 * The dashboard shell: header (menu, connection indicator, theme switch), navigation, and the
 * view of the current route inside the route context.
 */
export function App() {
  const route = useHashRoute(DEFAULT_VIEW);
  const { theme, toggle } = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const firstView = useRef(true);
  const entry = VIEWS.find((v) => v.id === route.view);

  useEffect(() => {
    setMenuOpen(false);
    document.title = `${entry?.title ?? 'Vigil'} · Vigil`;
    // Moving to another view takes the focus to it (not on first load).
    if (firstView.current) firstView.current = false;
    else main.current?.focus({ preventScroll: false });
  }, [route.view, entry]);

  const kept = navParams(route.params);
  const View = entry?.component;
  return (
    <RouteContext.Provider value={route}>
      <a
        class="skip-link"
        href="#content"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <div class={`layout${menuOpen ? ' menu-open' : ''}`}>
        <header class="topbar">
          <button
            type="button"
            class="icon-button menu-button"
            aria-label="Menu"
            aria-expanded={menuOpen}
            aria-controls="nav"
            data-testid="menu-toggle"
            onClick={() => setMenuOpen((o) => !o)}
          >
            ☰
          </button>
          <a class="brand" href={buildHash(DEFAULT_VIEW, [], kept)}>
            <span class="brand-mark" aria-hidden="true">
              ◉
            </span>{' '}
            Vigil
          </a>
          <div class="topbar-right">
            <ConnectionIndicator />
            <button
              type="button"
              class="icon-button"
              data-testid="theme-toggle"
              aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
              title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
              onClick={toggle}
            >
              {theme === 'dark' ? '☀' : '☾'}
            </button>
          </div>
        </header>
        <nav id="nav" class="sidenav" aria-label="Views">
          {GROUPS.map((group) => (
            <div class="nav-group" key={group}>
              <div class="nav-group-title">{group}</div>
              <ul>
                {VIEWS.filter((v) => v.group === group).map((v) => (
                  <li key={v.id}>
                    <a
                      href={buildHash(v.id, [], kept)}
                      data-nav={v.id}
                      aria-current={v.id === route.view ? 'page' : undefined}
                    >
                      {v.title}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="content" class="content" ref={main} tabIndex={-1}>
          <ErrorBoundary viewId={route.view}>
            {View ? (
              <View
                key={route.view}
                filters={route.filters}
                params={route.params}
                setParams={route.setParams}
                path={route.path}
              />
            ) : (
              <NotFound view={route.view} />
            )}
          </ErrorBoundary>
        </main>
      </div>
    </RouteContext.Provider>
  );
}
