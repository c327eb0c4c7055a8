import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { getJson } from '../lib/api';
import { Chart } from '../lib/chart';
import { formatDurationMs, formatNumber, formatTime } from '../lib/format';
import { useLiveEvents } from '../lib/live';
import { buildHash, DataTable, Kpi, ViewFrame, type Column, type ViewState } from '../lib/view';
import {
  clip,
  EventDetail,
  StatusBadge,
  type EventPage,
  type EventRecord,
} from './explorer-detail';
import { buildTimeline, timelineChart } from './timeline-lanes';

/** A session as `/api/sessions` lists it. */
export interface SessionRow {
  session_id: string;
  first_at: string;
  last_at: string;
  event_count: number;
  status: string | null;
  models: string[];
  adapters: string[];
  tokens_input: number;
  tokens_output: number;
}

/** `/api/sessions/{id}`. */
interface SessionResponse {
  session: SessionRow & {
    counts_by_kind: Record<string, number>;
    counts_by_type: Record<string, number>;
    tasks: { total: number; success: number; failure: number; incomplete: number };
    phases: string[];
  };
  timeline: EventPage;
}

/** Timeline pages read per session (1000 events each); longer sessions are cut there. */
const MAX_PAGES = 20;
const PAGE_SIZE = 1000;
/** Rows of the events table (the chart and the export cover every event read). */
const MAX_TABLE_ROWS = 2_000;
/** After live events of this session, read it again at most this often. */
const REFRESH_MS = 2_000;

interface Loaded {
  id: string;
  session?: SessionResponse['session'];
  events: EventRecord[];
  truncated: boolean;
  error?: Error;
  done: boolean;
}

/** A session's summary and every event of its timeline (up to MAX_PAGES pages), kept live. */
function useSession(id: string): Loaded & { reload(): void } {
  const [loaded, setLoaded] = useState<Loaded>({ id, events: [], truncated: false, done: false });
  const [version, setVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    (async () => {
      const events: EventRecord[] = [];
      let session: SessionResponse['session'] | undefined;
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await getJson<SessionResponse>(
          `/api/sessions/${encodeURIComponent(id)}`,
          { limit: PAGE_SIZE, cursor },
          signal,
        );
        session = page.session;
        events.push(...page.timeline.events);
        cursor = page.timeline.next_cursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined && pages < MAX_PAGES);
      return { id, session, events, truncated: cursor !== undefined, done: true };
    })().then(
      (next) => {
        if (!signal.aborted) setLoaded(next);
      },
      (error: unknown) => {
        if (signal.aborted) return;
        const err = error instanceof Error ? error : new Error(String(error));
        // A failed refresh keeps what was shown.
        setLoaded((prev) =>
          prev.id === id && prev.session
            ? prev
            : { id, events: [], truncated: false, error: err, done: true },
        );
      },
    );
    return () => controller.abort();
  }, [id, version]);

  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveEvents((batch) => {
    if (timer.current !== undefined || !batch.some((e) => e.session_id === id)) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setVersion((v) => v + 1);
    }, REFRESH_MS);
  });

  const current = loaded.id === id ? loaded : { id, events: [], truncated: false, done: false };
  return { ...current, reload: () => setVersion((v) => v + 1) };
}

function offsetOf(start: number) {
  return (e: EventRecord) => formatDurationMs(Date.parse(e.timestamp) - start);
}

/** One session: its phases, tasks, LLM calls and gate decisions on a time axis, then its events. */
export function SessionTimeline({
  id,
  keep,
}: {
  id: string;
  keep: Record<string, string | undefined>;
}) {
  const loaded = useSession(id);
  const [selected, setSelected] = useState<EventRecord | null>(null);
  const { session, events } = loaded;
  const timeline = useMemo(() => buildTimeline(events), [events]);
  const chart = useMemo(() => timelineChart(timeline, setSelected), [timeline]);
  const start = session ? Date.parse(session.first_at) : 0;

  const columns = useMemo<Column<EventRecord>[]>(
    () => [
      { key: 'timestamp', label: 'Time', render: (e) => formatTime(e.timestamp) },
      {
        key: 'offset',
        label: '+',
        numeric: true,
        render: offsetOf(start),
        sortValue: (e) => Date.parse(e.timestamp),
      },
      { key: 'phase', label: 'Phase' },
      { key: 'event_type', label: 'Type' },
      { key: 'kind', label: 'Kind' },
      { key: 'status', label: 'Status', render: (e) => <StatusBadge status={e.status} /> },
      { key: 'task_id', label: 'Task' },
      { key: 'agent_role', label: 'Role' },
      { key: 'model', label: 'Model' },
      {
        key: 'duration_seconds',
        label: 'Duration',
        numeric: true,
        render: (e) =>
          e.duration_seconds === null ? '—' : formatDurationMs(e.duration_seconds * 1000),
      },
      {
        key: 'error_message',
        label: 'Message',
        render: (e) => <span title={e.error_message ?? undefined}>{clip(e.error_message)}</span>,
      },
    ],
    [start],
  );

  const state: ViewState = !loaded.done
    ? 'loading'
    : loaded.error || !session
      ? 'error'
      : events.length === 0
        ? 'empty'
        : 'ready';
  const llmCalls = session?.counts_by_kind['llm_call'] ?? 0;
  const gateDecisions =
    (session?.counts_by_type['gate_evaluated'] ?? 0) +
    (session?.counts_by_type['quality_gate_decision'] ?? 0);

  return (
    <ViewFrame
      id="sessions"
      title={`Session ${id}`}
      state={state}
      error={loaded.error}
      onRetry={loaded.reload}
      emptyText="This session has no events."
      exportName={`session-${id}`}
      exportRows={() => events.map((e) => ({ ...e }))}
      actions={
        <a class="button" href={buildHash('sessions', [], keep)} data-testid="back-to-sessions">
          ← All sessions
        </a>
      }
    >
      {session && (
        <>
          <div class="kpis">
            <Kpi
              name="status"
              label="Status"
              value={session.status ?? '—'}
              raw={null}
              hint={session.status === null ? 'no session event' : undefined}
            />
            <Kpi
              name="duration"
              label="Duration"
              value={formatDurationMs(Date.parse(session.last_at) - Date.parse(session.first_at))}
              raw={Date.parse(session.last_at) - Date.parse(session.first_at)}
              hint={`${formatTime(session.first_at)} →`}
            />
            <Kpi
              name="events"
              label="Events"
              value={formatNumber(session.event_count)}
              raw={session.event_count}
            />
            <Kpi
              name="tasks"
              label="Tasks"
              value={formatNumber(session.tasks.total)}
              raw={session.tasks.total}
              hint={`${session.tasks.success} ok, ${session.tasks.failure} failed, ${session.tasks.incomplete} open`}
            />
            <Kpi
              name="llm-calls"
              label="LLM call events"
              value={formatNumber(llmCalls)}
              raw={llmCalls}
            />
            <Kpi
              name="gate-decisions"
              label="Gate decisions"
              value={formatNumber(gateDecisions)}
              raw={gateDecisions}
            />
            <Kpi
              name="tokens"
              label="Tokens"
              value={formatNumber(session.tokens_input + session.tokens_output)}
              raw={session.tokens_input + session.tokens_output}
              hint={`${formatNumber(session.tokens_input)} in, ${formatNumber(session.tokens_output)} out`}
            />
          </div>
          <p class="row muted">
            {session.phases.length > 0 && (
              <span data-testid="session-phases">
                Phases:{' '}
                {session.phases.map((p, i) => (
                  <span key={`${p}-${i}`} class="badge">
                    {p}
                  </span>
                ))}
              </span>
            )}
            {session.models.length > 0 && <span>Models: {session.models.join(', ')}</span>}
            <span>Sources: {session.adapters.join(', ') || '—'}</span>
          </p>
          <div class="grid">
            <div class="card">
              <h2>Timeline</h2>
              {timeline.lanes.length === 0 ? (
                <p class="muted">
                  No phase, task, LLM call or gate decision to draw; the events are listed below.
                </p>
              ) : (
                <Chart
                  name="session-timeline"
                  config={chart}
                  height={Math.min(1200, 70 + timeline.lanes.length * 26)}
                  label="Phases, tasks and LLM calls as bars over time, gate decisions as diamonds"
                />
              )}
              {timeline.hiddenTasks > 0 && (
                <p class="muted">
                  {formatNumber(timeline.hiddenTasks)} more tasks are not drawn; the table lists
                  their events.
                </p>
              )}
              {loaded.truncated && (
                <p class="muted" role="status">
                  Showing the first {formatNumber(events.length)} of{' '}
                  {formatNumber(session.event_count)} events.
                </p>
              )}
            </div>
          </div>
          <div class="grid">
            <div class="card">
              <h2>
                Events{' '}
                {events.length > MAX_TABLE_ROWS && (
                  <span class="muted">
                    the first {formatNumber(MAX_TABLE_ROWS)}; the export has all{' '}
                    {formatNumber(events.length)}
                  </span>
                )}
              </h2>
              <DataTable
                testId="session-timeline-table"
                caption="The session's events, oldest first"
                columns={columns}
                rows={events.length > MAX_TABLE_ROWS ? events.slice(0, MAX_TABLE_ROWS) : events}
                rowKey={(e) => e.event_id}
                rowAttrs={(e) => ({ 'data-event-id': e.event_id, 'data-kind': e.kind })}
                onRowClick={setSelected}
              />
            </div>
          </div>
        </>
      )}
      {selected && (
        <EventDetail
          event={selected}
          onClose={() => setSelected(null)}
          keep={{ since: keep['since'] ?? '', until: keep['until'] ?? '' }}
        />
      )}
    </ViewFrame>
  );
}
