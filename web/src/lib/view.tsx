import type { ComponentChildren } from 'preact';

import type { ApiResult, Filters } from './api';
import { exportRows as download } from './export-rows';
import { FilterBar, type FilterGroup } from './filter-bar';

export { DataTable, type Column, type DataTableProps } from './data-table';
export { Kpi, type KpiProps } from './kpi';
export { Panel, type PanelProps } from './panel';
export { useRoute, buildHash } from './route-context';

/** What a view shows: a spinner, its content, an empty message or an error. */
export type ViewState = 'loading' | 'ready' | 'empty' | 'error';

/** What the shell passes to every view. */
export interface ViewProps {
  /** The dashboard-wide filters from the URL. */
  filters: Filters;
  /** Every URL parameter of the view (filters included). */
  params: Record<string, string>;
  /** Changes URL parameters (undefined removes one); back and forward undo it. */
  setParams(next: Record<string, string | undefined>): void;
  /** Route segments after the view id (e.g. a session id). */
  path: string[];
}

/**
 * The state of a view from its data: loading until the first answer (and again while the
 * answer for changed filters is on its way), error when that failed, empty when `isEmpty`
 * says so, else ready. A failed live refresh keeps the data shown.
 *
 * @example
 * const state = viewStateOf(result, (d) => d.reviews.length === 0);
 */
export function viewStateOf<T>(
  result: Pick<ApiResult<T>, 'data' | 'error' | 'stale'>,
  isEmpty: (data: T) => boolean,
): ViewState {
  if (result.data === undefined) return result.error ? 'error' : 'loading';
  if (result.stale) return 'loading';
  return isEmpty(result.data) ? 'empty' : 'ready';
}

export interface ViewFrameProps {
  /** `data-view` of the section: the view id. */
  id: string;
  title: string;
  state: ViewState;
  error?: Error;
  emptyText?: string;
  /** The rows the export buttons download (CSV and JSON, built in the browser). */
  exportRows?: () => Record<string, unknown>[];
  /** File name stem of exports (default: the view id). */
  exportName?: string;
  /** Filter groups shown in the filter bar. */
  filters?: FilterGroup[];
  /** Retries after an error (the error message offers a button). */
  onRetry?: () => void;
  /** Shown in the header, right of the title (e.g. a pause button). */
  actions?: ComponentChildren;
  children?: ComponentChildren;
}

/**
 * The frame of every view: `<section data-view data-state>`, the title, the filter bar, export
 * buttons, and the loading, empty and error states around the content (shown when ready).
 *
 * @example
 * <ViewFrame id="reviews" title="Reviews" state={state} error={error} filters={['time']}
 *   exportRows={() => rows}>...</ViewFrame>
 */
export function ViewFrame(props: ViewFrameProps) {
  const { id, title, state, error, exportRows } = props;
  const canExport = exportRows !== undefined && (state === 'ready' || state === 'empty');
  const save = (ext: 'csv' | 'json') => {
    if (exportRows) download(props.exportName ?? id, ext, exportRows());
  };
  return (
    <section
      class="view"
      data-view={id}
      data-state={state}
      aria-busy={state === 'loading'}
      aria-labelledby={`view-title-${id}`}
    >
      <header class="view-head">
        <h1 id={`view-title-${id}`}>{title}</h1>
        <div class="view-actions">
          {props.actions}
          {exportRows !== undefined && (
            <>
              <button
                type="button"
                class="button"
                data-testid="export-csv"
                disabled={!canExport}
                onClick={() => save('csv')}
              >
                Export CSV
              </button>
              <button
                type="button"
                class="button"
                data-testid="export-json"
                disabled={!canExport}
                onClick={() => save('json')}
              >
                Export JSON
              </button>
            </>
          )}
        </div>
      </header>
      {props.filters && props.filters.length > 0 && <FilterBar groups={props.filters} />}
      <div class="view-body">
        {state === 'loading' && (
          <div class="view-status" role="status" data-testid="view-loading">
            <span class="spinner" aria-hidden="true" /> Loading…
          </div>
        )}
        {state === 'error' && (
          <div class="view-error" role="alert" data-testid="view-error">
            <strong>Could not load this view.</strong>{' '}
            <span>{error?.message ?? 'Unknown error'}</span>
            {props.onRetry && (
              <button type="button" class="button" onClick={props.onRetry}>
                Retry
              </button>
            )}
          </div>
        )}
        {state === 'empty' && (
          <p class="view-empty" data-testid="view-empty">
            {props.emptyText ?? 'Nothing to show for these filters.'}
          </p>
        )}
        {state === 'ready' && props.children}
      </div>
    </section>
  );
}
