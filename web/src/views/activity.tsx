import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { getJson } from '../lib/api';
import { formatDurationMs, formatNumber, formatTime, formatUsd } from '../lib/format';
import { useLiveEvents } from '../lib/live';
import { buildHash, Kpi, ViewFrame, type ViewProps, type ViewState } from '../lib/view';
import { EVENT_KINDS } from '../lib/vocabulary';
import {
  addInitial,
  addLive,
  EMPTY_FEED,
  FEED_LIMIT,
  release,
  type FeedState,
} from './activity-feed';
import { EventDetail, StatusBadge, type EventPage, type EventRecord } from './explorer-detail';
import { SelectFilter } from './explorer-filters';

/** How many recent events fill the feed when the view opens. */
const INITIAL_FILL = 50;

// Layout through the style property (CSP-safe): the shared stylesheet has no feed rules yet.
const LIST_STYLE = { listStyle: 'none', margin: 0, padding: 0 };
const ITEM_STYLE = { padding: '8px 0', borderBottom: '1px solid var(--border)' };
const MESSAGE_STYLE = { margin: '2px 0', overflowWrap: 'anywhere' };

function FeedItem({ e, onOpen }: { e: EventRecord; onOpen(e: EventRecord): void }) {
  const tokens =
    e.tokens_input === null && e.tokens_output === null
      ? null
      : (e.tokens_input ?? 0) + (e.tokens_output ?? 0);
  return (
    <li
      class="feed-item"
      style={ITEM_STYLE}
      data-event-id={e.event_id}
      data-kind={e.kind}
      data-status={e.status ?? ''}
    >
      <div class="row feed-head">
        <time class="muted" dateTime={e.timestamp}>
          {formatTime(e.timestamp)}
        </time>
        <button
          type="button"
          class="link-button feed-type"
          aria-label={`Details of ${e.event_type} at ${formatTime(e.timestamp)}`}
          onClick={() => onOpen(e)}
        >
          {e.event_type}
        </button>
        <span class="badge" data-kind-badge>
          {e.kind}
        </span>
        {e.status !== null && <StatusBadge status={e.status} />}
      </div>
      {e.error_message !== null && e.error_message !== '' && (
        <p class="feed-message" style={MESSAGE_STYLE}>
          {e.error_message}
        </p>
      )}
      <div class="row feed-context muted">
        {e.session_id !== null && (
          <span>
            session <a href={buildHash('sessions', [e.session_id])}>{e.session_id}</a>
          </span>
        )}
        {e.task_id !== null && <span>task {e.task_id}</span>}
        {e.agent_role !== null && <span>role {e.agent_role}</span>}
        {e.model !== null && <span>model {e.model}</span>}
        {e.phase !== null && <span>phase {e.phase}</span>}
        {tokens !== null && <span>{formatNumber(tokens)} tokens</span>}
        {e.cost_usd !== null && <span>{formatUsd(e.cost_usd)}</span>}
        {e.duration_seconds !== null && <span>{formatDurationMs(e.duration_seconds * 1000)}</span>}
        <span>{e.source_adapter}</span>
      </div>
    </li>
  );
}

/**
 * 10. Agent activity: events as they are committed, newest first, filled at first with the
 * latest 50 (`/api/events?latest=50`) and then from the live connection. Pausing holds new
 * events back (counted as "N new") until resumed; the feed keeps the latest 500.
 */
export default function ActivityView({ filters, params, setParams }: ViewProps) {
  const { session, role } = filters;
  const kind = params['kind'];
  const [feed, setFeed] = useState<FeedState>(EMPTY_FEED);
  const [paused, setPaused] = useState(false);
  const [fill, setFill] = useState<{ done: boolean; error?: Error }>({ done: false });
  const [attempt, setAttempt] = useState(0);
  const [received, setReceived] = useState(0);
  const [selected, setSelected] = useState<EventRecord | null>(null);

  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const accept = useCallback(
    (e: EventRecord) =>
      (session === undefined || e.session_id === session) &&
      (role === undefined || e.agent_role === role) &&
      (kind === undefined || e.kind === kind),
    [session, role, kind],
  );
  const acceptRef = useRef(accept);
  acceptRef.current = accept;

  // A new filter starts a new feed: the latest matching events, then live ones.
  useEffect(() => {
    setFeed(EMPTY_FEED);
    setFill({ done: false });
    const controller = new AbortController();
    getJson<EventPage>(
      '/api/events',
      { latest: INITIAL_FILL, order: 'desc', session, role, kind },
      controller.signal,
    ).then(
      (page) => {
        if (controller.signal.aborted) return;
        setFeed((f) => addInitial(f, page.events));
        setFill({ done: true });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setFill({ done: true, error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [session, role, kind, attempt]);

  useLiveEvents((batch) => {
    const accepted = batch.filter(acceptRef.current);
    if (accepted.length === 0) return;
    setReceived((n) => n + accepted.length);
    setFeed((f) => addLive(f, accepted, pausedRef.current));
  });

  const toggle = () => {
    // Events arriving before the next render must already see the new state.
    pausedRef.current = !paused;
    if (paused) setFeed(release);
    setPaused(!paused);
  };

  const items = feed.items;
  const state: ViewState =
    items.length > 0 ? 'ready' : !fill.done ? 'loading' : fill.error ? 'error' : 'empty';

  const actions = (
    <>
      <SelectFilter
        name="kind"
        label="Kind"
        any="every kind"
        value={kind ?? ''}
        options={EVENT_KINDS}
        onChange={(v) => setParams({ kind: v })}
      />
      <button
        type="button"
        class="button"
        data-testid="feed-pause"
        aria-pressed={paused}
        title={paused ? 'Show new events again' : 'Hold new events back while reading'}
        onClick={toggle}
      >
        {paused ? '▶ Resume' : '❚❚ Pause'}
      </button>
      {paused && (
        <button
          type="button"
          class="button"
          data-testid="feed-new"
          data-count={feed.heldCount}
          aria-live="polite"
          onClick={toggle}
        >
          {formatNumber(feed.heldCount)} new
        </button>
      )}
    </>
  );

  return (
    <ViewFrame
      id="activity"
      title="Agent activity"
      state={state}
      error={fill.error}
      onRetry={() => setAttempt((n) => n + 1)}
      filters={['session', 'role']}
      emptyText="No events yet. New events appear here as soon as they are committed."
      exportName="activity"
      exportRows={() => items.map((e) => ({ ...e }))}
      actions={actions}
    >
      <div class="kpis">
        <Kpi
          name="feed-shown"
          label="In the feed"
          value={formatNumber(items.length)}
          raw={items.length}
          hint={`latest ${FEED_LIMIT} kept`}
        />
        <Kpi
          name="feed-live"
          label="Arrived live"
          value={formatNumber(received)}
          raw={received}
          hint="since this view opened"
        />
        <Kpi
          name="feed-held"
          label="Held back"
          value={formatNumber(feed.heldCount)}
          raw={feed.heldCount}
          hint={paused ? 'paused: shown on resume' : 'the feed is live'}
        />
      </div>
      {fill.error && (
        <p class="muted" role="status">
          The recent events could not be loaded ({fill.error.message}); new ones are shown as they
          arrive.
        </p>
      )}
      <div class="grid">
        <div class="card">
          <ol
            class="feed"
            style={LIST_STYLE}
            data-testid="feed"
            data-paused={paused ? 'true' : 'false'}
            aria-label="Events, newest first"
          >
            {items.map((e) => (
              <FeedItem key={e.event_id} e={e} onOpen={setSelected} />
            ))}
          </ol>
        </div>
      </div>
      {selected && <EventDetail event={selected} onClose={() => setSelected(null)} keep={params} />}
    </ViewFrame>
  );
}
