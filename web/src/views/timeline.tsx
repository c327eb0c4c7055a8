import { useApi } from '../lib/api';
import { formatDurationMs, formatNumber, formatTime } from '../lib/format';
import {
  buildHash,
  DataTable,
  Kpi,
  ViewFrame,
  viewStateOf,
  type Column,
  type ViewProps,
} from '../lib/view';
import { StatusBadge } from './explorer-detail';
import { SelectFilter } from './explorer-filters';
import { SessionTimeline, type SessionRow } from './timeline-session';

const LIMITS = ['50', '100', '500', '1000', '5000'] as const;
const DEFAULT_LIMIT = '100';

function sessionColumns(keep: Record<string, string | undefined>): Column<SessionRow>[] {
  return [
    {
      key: 'session_id',
      label: 'Session',
      render: (s) => (
        <a href={buildHash('sessions', [s.session_id], keep)} class="mono">
          {s.session_id}
        </a>
      ),
    },
    { key: 'status', label: 'Status', render: (s) => <StatusBadge status={s.status} /> },
    { key: 'first_at', label: 'Started', render: (s) => formatTime(s.first_at) },
    { key: 'last_at', label: 'Last event', render: (s) => formatTime(s.last_at) },
    {
      key: 'duration',
      label: 'Duration',
      numeric: true,
      render: (s) => formatDurationMs(Date.parse(s.last_at) - Date.parse(s.first_at)),
      sortValue: (s) => Date.parse(s.last_at) - Date.parse(s.first_at),
    },
    {
      key: 'event_count',
      label: 'Events',
      numeric: true,
      render: (s) => formatNumber(s.event_count),
    },
    {
      key: 'tokens_input',
      label: 'Tokens in',
      numeric: true,
      render: (s) => formatNumber(s.tokens_input),
    },
    {
      key: 'tokens_output',
      label: 'Tokens out',
      numeric: true,
      render: (s) => formatNumber(s.tokens_output),
    },
    { key: 'models', label: 'Models', render: (s) => s.models.join(', ') || '—' },
    { key: 'adapters', label: 'Sources', render: (s) => s.adapters.join(', ') },
  ];
}

/** The sessions whose activity overlaps the time range, newest first (`/api/sessions`). */
function SessionList({ filters, params, setParams }: ViewProps) {
  const limit = (LIMITS as readonly string[]).includes(params['limit'] ?? '')
    ? (params['limit'] ?? DEFAULT_LIMIT)
    : DEFAULT_LIMIT;
  const result = useApi<{ sessions: SessionRow[] }>('/api/sessions', {
    since: filters.since,
    until: filters.until,
    limit,
  });
  const sessions = result.data?.sessions ?? [];
  const keep = { since: filters.since, until: filters.until };
  const open = (s: SessionRow) => {
    location.hash = buildHash('sessions', [s.session_id], keep);
  };
  const events = sessions.reduce((n, s) => n + s.event_count, 0);
  const tokens = sessions.reduce((n, s) => n + s.tokens_input + s.tokens_output, 0);
  const failed = sessions.filter((s) => s.status === 'failure').length;

  return (
    <ViewFrame
      id="sessions"
      title="Sessions"
      state={viewStateOf(result, (d) => d.sessions.length === 0)}
      error={result.error}
      onRetry={result.reload}
      filters={['time']}
      emptyText="No session has activity in this range."
      exportName="sessions"
      exportRows={() =>
        sessions.map((s) => ({ ...s, models: s.models.join(' '), adapters: s.adapters.join(' ') }))
      }
      actions={
        <SelectFilter
          name="limit"
          label="Show at most"
          value={limit}
          options={LIMITS}
          onChange={(v) => setParams({ limit: v === DEFAULT_LIMIT ? undefined : v })}
        />
      }
    >
      <div class="kpis">
        <Kpi
          name="sessions"
          label="Sessions"
          value={formatNumber(sessions.length)}
          raw={sessions.length}
          hint={sessions.length >= Number(limit) ? `the latest ${limit}` : undefined}
        />
        <Kpi name="events" label="Events" value={formatNumber(events)} raw={events} />
        <Kpi name="tokens" label="Tokens" value={formatNumber(tokens)} raw={tokens} />
        <Kpi
          name="failed"
          label="Failed sessions"
          value={formatNumber(failed)}
          raw={failed}
          good="down"
        />
      </div>
      <DataTable
        testId="sessions-table"
        caption="Sessions, newest first"
        columns={sessionColumns(keep)}
        rows={sessions}
        rowKey={(s) => s.session_id}
        onRowClick={open}
      />
    </ViewFrame>
  );
}

/**
 * 12. Session timeline: `#/sessions` lists sessions (filterable by time range);
 * `#/sessions/<id>` draws one session's phases, tasks, LLM calls and gate decisions on a time
 * axis, with its events beneath.
 */
export default function TimelineView(props: ViewProps) {
  const id = props.path[0];
  if (id !== undefined && id !== '') {
    return (
      <SessionTimeline id={id} keep={{ since: props.filters.since, until: props.filters.until }} />
    );
  }
  return <SessionList {...props} />;
}
