import { useMemo, useRef, useState } from 'preact/hooks';

import { useApi, type ApiParams } from '../lib/api';
import { formatDurationMs, formatNumber, formatTime, formatUsd } from '../lib/format';
import { DataTable, ViewFrame, type Column, type ViewProps, type ViewState } from '../lib/view';
import { ADAPTERS, EVENT_KINDS, EVENT_STATUSES } from '../lib/vocabulary';
import {
  clip,
  EventDetail,
  StatusBadge,
  type EventPage,
  type EventRecord,
} from './explorer-detail';
import { LOCAL_FILTERS, SelectFilter, suggestTypes, TextFilter } from './explorer-filters';

const PAGE_SIZES = [20, 50, 100, 200, 500, 1000] as const;
const DEFAULT_PAGE_SIZE = 50;

function pageSizeOf(value: string | undefined): number {
  const n = Number(value);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : DEFAULT_PAGE_SIZE;
}

const NOWRAP = { whiteSpace: 'nowrap' };

/** Session, task, role, model and phase of an event, as one compact cell. */
function Context({ e }: { e: EventRecord }) {
  const parts: [string, string | null][] = [
    ['session', e.session_id],
    ['task', e.task_id],
    ['role', e.agent_role],
    ['model', e.model],
    ['phase', e.phase],
  ];
  const shown = parts.filter((p): p is [string, string] => p[1] !== null);
  if (shown.length === 0) return <span class="muted">—</span>;
  return (
    <span>
      {shown.map(([name, value], i) => (
        <span key={name} data-context={name}>
          {i > 0 && ' · '}
          <span class="muted">{name}</span> {value}
        </span>
      ))}
    </span>
  );
}

const COLUMNS: readonly Column<EventRecord>[] = [
  {
    key: 'timestamp',
    label: 'Time',
    render: (e) => (
      <time dateTime={e.timestamp} style={NOWRAP}>
        {formatTime(e.timestamp)}
      </time>
    ),
  },
  {
    key: 'event_type',
    label: 'Type',
    render: (e) => (
      <>
        {e.event_type}
        <br />
        <span class="muted">{e.kind}</span>
      </>
    ),
  },
  { key: 'status', label: 'Status', render: (e) => <StatusBadge status={e.status} /> },
  {
    key: 'context',
    label: 'Context',
    render: (e) => <Context e={e} />,
    sortValue: (e) => `${e.session_id ?? ''} ${e.task_id ?? ''}`,
  },
  {
    key: 'error_message',
    label: 'Message',
    render: (e) => <span title={e.error_message ?? undefined}>{clip(e.error_message, 160)}</span>,
  },
  {
    key: 'duration_seconds',
    label: 'Duration',
    numeric: true,
    render: (e) =>
      e.duration_seconds === null ? '—' : formatDurationMs(e.duration_seconds * 1000),
  },
  {
    key: 'tokens',
    label: 'Tokens',
    numeric: true,
    render: (e) =>
      e.tokens_input === null && e.tokens_output === null
        ? '—'
        : formatNumber((e.tokens_input ?? 0) + (e.tokens_output ?? 0)),
    sortValue: (e) => (e.tokens_input ?? 0) + (e.tokens_output ?? 0),
  },
  { key: 'cost_usd', label: 'Cost', numeric: true, render: (e) => formatUsd(e.cost_usd) },
  { key: 'source_adapter', label: 'Adapter' },
];

/** Cursors of the pages visited for one query: index 0 is the first page (no cursor). */
interface PageStack {
  key: string;
  cursors: (string | undefined)[];
}

/**
 * 11. Event explorer: every filter of `/api/events` (the shell's time, model, session and
 * role, plus type, kind, status, phase, task, adapter and free text `q`), all in the URL;
 * cursor pages of a chosen size, next and previous, with the position among `/api/events/count`
 * matches; an event's every field in a side panel.
 */
export default function ExplorerView({ filters, params, setParams }: ViewProps) {
  const limit = pageSizeOf(params['limit']);
  const order = params['order'] === 'asc' ? 'asc' : 'desc';
  const query = useMemo<ApiParams>(() => {
    const q: ApiParams = { ...filters };
    for (const key of LOCAL_FILTERS) q[key] = params[key];
    return q;
  }, [filters, params]);
  const queryKey = JSON.stringify([query, limit, order]);

  const [stack, setStack] = useState<PageStack>({ key: queryKey, cursors: [undefined] });
  const cursors = stack.key === queryKey ? stack.cursors : [undefined];
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];
  const [selected, setSelected] = useState<EventRecord | null>(null);

  // The first page follows new commits; later pages stay put while they are read.
  const page = useApi<EventPage>(
    '/api/events',
    { ...query, limit, order, cursor },
    { live: pageIndex === 0 },
  );
  const count = useApi<{ count: number }>('/api/events/count', query);

  // The page shown is the one the data was fetched for: during a page change the previous
  // page stays on screen (marked stale) and its cursor must not be followed.
  const shownFor = useRef<{ data: EventPage | undefined; at: string }>({ data: undefined, at: '' });
  const at = `${queryKey}#${pageIndex}`;
  if (page.data !== shownFor.current.data) shownFor.current = { data: page.data, at };
  const stale = shownFor.current.at !== at;

  const events = page.data?.events ?? [];
  const total = count.data?.count;
  const state: ViewState =
    page.data === undefined
      ? page.error
        ? 'error'
        : 'loading'
      : events.length === 0 && pageIndex === 0 && !stale
        ? 'empty'
        : 'ready';

  const first = pageIndex * limit + 1;
  const last = pageIndex * limit + events.length;
  const pages = total === undefined ? undefined : Math.max(1, Math.ceil(total / limit));
  const nextCursor = stale ? null : (page.data?.next_cursor ?? null);

  const set = (key: string, value: string | undefined) => setParams({ [key]: value });
  const anyLocal = LOCAL_FILTERS.some((k) => params[k] !== undefined);

  const controls = (
    <form
      class="filter-bar explorer-filters"
      role="search"
      aria-label="Event filters"
      onSubmit={(e) => e.preventDefault()}
    >
      <TextFilter
        name="q"
        label="Search"
        type="search"
        testId="search"
        value={params['q'] ?? ''}
        placeholder="text in message or attrs"
        onCommit={(v) => set('q', v)}
      />
      <TextFilter
        name="type"
        label="Type"
        value={params['type'] ?? ''}
        placeholder="any type (a,b)"
        suggest={suggestTypes}
        onCommit={(v) => set('type', v)}
      />
      <SelectFilter
        name="kind"
        label="Kind"
        any="any kind"
        value={params['kind'] ?? ''}
        options={EVENT_KINDS}
        onChange={(v) => set('kind', v)}
      />
      <SelectFilter
        name="status"
        label="Status"
        any="any status"
        value={params['status'] ?? ''}
        options={EVENT_STATUSES}
        onChange={(v) => set('status', v)}
      />
      <TextFilter
        name="phase"
        label="Phase"
        value={params['phase'] ?? ''}
        placeholder="any phase"
        onCommit={(v) => set('phase', v)}
      />
      <TextFilter
        name="task"
        label="Task"
        value={params['task'] ?? ''}
        placeholder="any task"
        onCommit={(v) => set('task', v)}
      />
      <TextFilter
        name="adapter"
        label="Adapter"
        value={params['adapter'] ?? ''}
        placeholder="any adapter"
        suggest={() => Promise.resolve([...ADAPTERS])}
        onCommit={(v) => set('adapter', v)}
      />
      <SelectFilter
        name="order"
        label="Order"
        value={order}
        options={[
          { value: 'desc', label: 'Newest first' },
          { value: 'asc', label: 'Oldest first' },
        ]}
        onChange={(v) => set('order', v === 'desc' ? undefined : v)}
      />
      <SelectFilter
        name="limit"
        label="Page size"
        testId="page-size"
        value={String(limit)}
        options={PAGE_SIZES.map(String)}
        onChange={(v) => set('limit', v === String(DEFAULT_PAGE_SIZE) ? undefined : v)}
      />
      {anyLocal && (
        <button
          type="button"
          class="link-button"
          data-testid="explorer-clear"
          onClick={() => setParams(Object.fromEntries(LOCAL_FILTERS.map((k) => [k, undefined])))}
        >
          Clear event filters
        </button>
      )}
    </form>
  );

  // The pager is drawn above and below the table; only the top one carries test ids.
  const pager = (top: boolean) => (
    <nav class="row pager" aria-label="Pages">
      <button
        type="button"
        class="button"
        data-testid={top ? 'first-page' : undefined}
        disabled={pageIndex === 0 || stale}
        onClick={() => setStack({ key: queryKey, cursors: [undefined] })}
      >
        « First
      </button>
      <button
        type="button"
        class="button"
        data-testid={top ? 'prev-page' : undefined}
        disabled={pageIndex === 0 || stale}
        onClick={() => setStack({ key: queryKey, cursors: cursors.slice(0, -1) })}
      >
        ‹ Previous
      </button>
      <span
        data-testid={top ? 'page-position' : undefined}
        data-page={pageIndex + 1}
        data-first={stale || events.length === 0 ? 0 : first}
        data-last={stale ? 0 : last}
        data-total={total ?? ''}
        data-stale={stale ? 'true' : undefined}
        aria-live={top ? 'polite' : undefined}
      >
        {stale
          ? `Loading page ${formatNumber(pageIndex + 1)}…`
          : events.length === 0
            ? 'No events on this page'
            : `Events ${formatNumber(first)}–${formatNumber(last)}`}
        {total !== undefined && ` of ${formatNumber(total)}`}
        {` · page ${formatNumber(pageIndex + 1)}`}
        {pages !== undefined && ` of ${formatNumber(pages)}`}
      </span>
      <button
        type="button"
        class="button"
        data-testid={top ? 'next-page' : undefined}
        disabled={nextCursor === null}
        onClick={() => {
          if (nextCursor !== null) setStack({ key: queryKey, cursors: [...cursors, nextCursor] });
        }}
      >
        Next ›
      </button>
    </nav>
  );

  return (
    <ViewFrame
      id="explorer"
      title="Event explorer"
      state={state}
      error={page.error}
      onRetry={page.reload}
      filters={['time', 'model', 'session', 'role']}
      emptyText="No event matches these filters."
      exportName="events"
      exportRows={() => events.map((e) => ({ ...e }))}
      actions={controls}
    >
      {pager(true)}
      <DataTable
        testId="explorer-table"
        caption="Events"
        columns={COLUMNS}
        rows={events}
        rowKey={(e) => e.event_id}
        rowAttrs={(e) => ({ 'data-event-id': e.event_id, 'data-kind': e.kind })}
        onRowClick={setSelected}
      />
      {events.length >= 20 && pager(false)}
      {selected && (
        <EventDetail
          event={selected}
          onClose={() => setSelected(null)}
          onFilter={(param, value) => {
            setSelected(null);
            setParams({ [param]: value });
          }}
        />
      )}
    </ViewFrame>
  );
}
