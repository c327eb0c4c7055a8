import { useMemo } from 'preact/hooks';

import { useApi } from '../lib/api';
import { Chart } from '../lib/chart';
import { formatDurationMs, formatNumber, formatPercent, formatTime } from '../lib/format';
import {
  DataTable,
  Kpi,
  ViewFrame,
  type Column,
  type ViewProps,
  type ViewState,
} from '../lib/view';
import { useClockSkew, useNow } from './bypasses-countdown';
import { clip, StatusBadge } from './explorer-detail';
import {
  attemptsChart,
  consensusChart,
  gateDecisionsChart,
  rubricChart,
  type GateBreakdown,
  type GateDecision,
  type Loop,
  type QualityGatesResponse,
  type ResolutionResponse,
} from './gates-charts';

/** Decisions listed in the history (the API's maximum is 1000). */
const HISTORY_LIMIT = 500;

const seconds = (s: number | null) => (s === null ? '—' : formatDurationMs(s * 1000));

const HISTORY_COLUMNS: Column<GateDecision>[] = [
  { key: 'at', label: 'Time', render: (d) => formatTime(d.at) },
  { key: 'gate', label: 'Gate' },
  { key: 'task_id', label: 'Task' },
  { key: 'decision', label: 'Decision', render: (d) => <StatusBadge status={d.decision} /> },
  {
    key: 'consensus_score',
    label: 'Consensus',
    numeric: true,
    render: (d) => (d.consensus_score === null ? '—' : d.consensus_score.toFixed(2)),
  },
  {
    key: 'quorum_satisfied',
    label: 'Quorum',
    render: (d) => (d.quorum_satisfied === null ? '—' : d.quorum_satisfied ? 'met' : 'missed'),
  },
  { key: 'reviewers', label: 'Reviewers', render: (d) => d.reviewers.join(', ') || '—' },
  {
    key: 'rubric_scores',
    label: 'Rubric',
    render: (d) =>
      Object.entries(d.rubric_scores)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—',
  },
  {
    key: 'reason',
    label: 'Reason',
    render: (d) => <span title={d.reason ?? undefined}>{clip(d.reason) || '—'}</span>,
  },
];

const GATE_COLUMNS: Column<GateBreakdown>[] = [
  { key: 'gate', label: 'Gate' },
  { key: 'decisions', label: 'Decisions', numeric: true },
  { key: 'approved', label: 'Approved', numeric: true },
  { key: 'rejected', label: 'Rejected', numeric: true },
  { key: 'warned', label: 'Warned', numeric: true },
  {
    key: 'approval_rate',
    label: 'Approval rate',
    numeric: true,
    render: (g) => formatPercent(g.approval_rate),
  },
  {
    key: 'avg_consensus',
    label: 'Mean consensus',
    numeric: true,
    render: (g) => (g.avg_consensus === null ? '—' : g.avg_consensus.toFixed(2)),
  },
];

const loopBase: Column<Loop>[] = [
  { key: 'loop_id', label: 'Loop', render: (l) => <span class="mono">{l.loop_id}</span> },
  { key: 'task_id', label: 'Task' },
  { key: 'run_id', label: 'Run' },
  { key: 'opened_at', label: 'Opened', render: (l) => formatTime(l.opened_at) },
  { key: 'attempt_count', label: 'Attempts', numeric: true },
  { key: 'incident_count', label: 'Incidents', numeric: true },
  {
    key: 'last_outcome',
    label: 'Last outcome',
    render: (l) => <StatusBadge status={l.last_outcome} />,
  },
  { key: 'last_label', label: 'Last label' },
];

function liveColumns(now: number): Column<Loop>[] {
  const age = (l: Loop) => (l.opened_at === null ? null : now - Date.parse(l.opened_at));
  return [
    ...loopBase,
    { key: 'updated_at', label: 'Updated', render: (l) => formatTime(l.updated_at) },
    {
      key: 'age',
      label: 'Open for',
      numeric: true,
      render: (l) => <span data-age-ms={age(l) ?? ''}>{formatDurationMs(age(l))}</span>,
      sortValue: (l) => age(l) ?? 0,
    },
  ];
}

const RECENT_COLUMNS: Column<Loop>[] = [
  { key: 'status', label: 'Status', render: (l) => <StatusBadge status={l.status} /> },
  ...loopBase,
  { key: 'closed_at', label: 'Ended', render: (l) => formatTime(l.closed_at) },
  {
    key: 'duration_seconds',
    label: 'Duration',
    numeric: true,
    render: (l) => seconds(l.duration_seconds),
  },
];

/**
 * 8. Quality gates and resolution loops (seed 001: `/api/metrics/quality_gates`,
 * `/api/metrics/resolution`): approvals and rejections per gate, rubric averages, consensus
 * history, the live loops with their attempts and incidents, and the loops closed in the window.
 */
export default function GatesView({ filters }: ViewProps) {
  const range = { since: filters.since, until: filters.until };
  const gates = useApi<QualityGatesResponse>('/api/metrics/quality_gates', {
    ...range,
    limit: HISTORY_LIMIT,
  });
  const loops = useApi<ResolutionResponse>('/api/metrics/resolution', { ...range, limit: 200 });
  const skew = useClockSkew(loops.data?.generated_at);
  const now = useNow() + skew;

  const g = gates.data;
  const r = loops.data;
  // Either answer missing after a failure is an error; a failed refresh keeps the data shown.
  const failed =
    (g === undefined ? gates.error : undefined) ?? (r === undefined ? loops.error : undefined);
  const state: ViewState =
    g === undefined || r === undefined
      ? failed
        ? 'error'
        : 'loading'
      : g.decisions === 0 && r.live.count === 0 && r.historical.loops === 0 && r.recent.length === 0
        ? 'empty'
        : 'ready';

  const decisionsChart = useMemo(() => (g ? gateDecisionsChart(g.gates) : null), [g]);
  const rubric = useMemo(() => (g ? rubricChart(g.rubric) : null), [g]);
  const consensus = useMemo(() => (g ? consensusChart(g.history) : null), [g]);
  const attempts = useMemo(() => (r ? attemptsChart(r.historical.attempts) : null), [r]);

  const exportRows = () => [
    ...(g?.history ?? []).map((d) => ({ record: 'gate_decision', ...d })),
    ...(r?.live.loops ?? []).map((l) => ({ record: 'live_loop', ...l })),
    ...(r?.recent ?? []).map((l) => ({ record: 'closed_loop', ...l })),
  ];

  return (
    <ViewFrame
      id="gates"
      title="Quality gates and resolution loops"
      state={state}
      error={failed}
      onRetry={() => {
        gates.reload();
        loops.reload();
      }}
      filters={['time']}
      emptyText="No gate decision and no resolution loop in this window."
      exportName="quality-gates"
      exportRows={exportRows}
    >
      {g && r && (
        <>
          <p class="muted" data-testid="gates-window">
            {formatTime(g.window.since)} – {formatTime(g.window.until)}
          </p>
          <div class="kpis">
            <Kpi
              name="decisions"
              label="Gate decisions"
              value={formatNumber(g.decisions)}
              raw={g.decisions}
            />
            <Kpi
              name="approval-rate"
              label="Approval rate"
              value={formatPercent(g.approval_rate)}
              raw={g.approval_rate}
              hint="approved / (approved + rejected)"
            />
            <Kpi
              name="approved"
              label="Approved"
              value={formatNumber(g.approved)}
              raw={g.approved}
            />
            <Kpi
              name="rejected"
              label="Rejected"
              value={formatNumber(g.rejected)}
              raw={g.rejected}
              good="down"
            />
            <Kpi
              name="warned"
              label="Warned"
              value={formatNumber(g.warned)}
              raw={g.warned}
              good="down"
            />
            <Kpi
              name="consensus"
              label="Mean consensus"
              value={g.consensus.average === null ? '—' : g.consensus.average.toFixed(2)}
              raw={g.consensus.average}
              hint={`${formatNumber(g.consensus.scored)} scored, quorum missed ${formatNumber(g.consensus.quorum_missed)}`}
            />
            <Kpi
              name="live-loops"
              label="Live loops"
              value={formatNumber(r.live.count)}
              raw={r.live.count}
            />
            <Kpi
              name="loop-success-rate"
              label="Loops resolved"
              value={formatPercent(r.historical.success_rate)}
              raw={r.historical.success_rate}
              hint={`${formatNumber(r.historical.closed)} closed, ${formatNumber(r.historical.abandoned)} abandoned`}
            />
            <Kpi
              name="avg-attempts"
              label="Attempts per loop"
              value={
                r.historical.avg_attempts === null ? '—' : r.historical.avg_attempts.toFixed(1)
              }
              raw={r.historical.avg_attempts}
            />
            <Kpi
              name="incidents"
              label="Incidents"
              value={formatNumber(r.historical.incidents)}
              raw={r.historical.incidents}
              good="down"
            />
            <Kpi
              name="loop-duration"
              label="Mean loop duration"
              value={seconds(r.historical.avg_duration_seconds)}
              raw={r.historical.avg_duration_seconds}
            />
          </div>

          <div class="grid">
            <div class="card">
              <h2>Live resolution loops</h2>
              {r.live.loops.length === 0 ? (
                <p class="muted">No loop is open.</p>
              ) : (
                <DataTable
                  testId="gates-loops-table"
                  caption="Live resolution loops"
                  columns={liveColumns(now)}
                  rows={r.live.loops}
                  rowKey={(l) => l.loop_id}
                  rowAttrs={(l) => ({ 'data-status': l.status })}
                />
              )}
            </div>
          </div>

          <div class="grid">
            <div class="card">
              <h2>Decisions per gate</h2>
              {decisionsChart && g.gates.length > 0 ? (
                <Chart
                  name="gate-decisions"
                  config={decisionsChart}
                  height={Math.max(160, 40 + g.gates.length * 28)}
                  label="Approved, rejected and warned decisions per gate"
                />
              ) : (
                <p class="muted">No decision in this window.</p>
              )}
            </div>
            <div class="card">
              <h2>Consensus history</h2>
              {consensus && g.history.some((d) => d.consensus_score !== null) ? (
                <Chart
                  name="consensus-history"
                  config={consensus}
                  label="Consensus score of each decision over time"
                />
              ) : (
                <p class="muted">No scored decision in this window.</p>
              )}
            </div>
            <div class="card">
              <h2>Rubric averages</h2>
              {rubric && g.rubric.length > 0 ? (
                <Chart
                  name="rubric-averages"
                  config={rubric}
                  label="Average, minimum and maximum score per rubric criterion"
                />
              ) : (
                <p class="muted">No rubric scores in this window.</p>
              )}
            </div>
            <div class="card">
              <h2>Resolution attempts</h2>
              {attempts && Object.values(r.historical.attempts).some((n) => n > 0) ? (
                <Chart
                  name="resolution-attempts"
                  config={attempts}
                  label="Resolution attempts by outcome"
                />
              ) : (
                <p class="muted">No attempt in this window.</p>
              )}
            </div>
          </div>

          <div class="grid">
            <div class="card">
              <h2>
                Decision history{' '}
                <span class="muted">
                  {g.history.length < g.history_total
                    ? `latest ${formatNumber(g.history.length)} of ${formatNumber(g.history_total)}`
                    : formatNumber(g.history_total)}
                </span>
              </h2>
              {g.history.length === 0 ? (
                <p class="muted">No decision in this window.</p>
              ) : (
                <DataTable
                  testId="gates-table"
                  caption="Quality-gate decisions, newest first"
                  columns={HISTORY_COLUMNS}
                  rows={g.history}
                  rowKey={(d) => d.event_id}
                  rowAttrs={(d) => ({ 'data-event-id': d.event_id, 'data-decision': d.decision })}
                />
              )}
            </div>
          </div>

          <div class="grid">
            <div class="card">
              <h2>Per gate</h2>
              {g.gates.length === 0 ? (
                <p class="muted">No gate in this window.</p>
              ) : (
                <DataTable
                  testId="gates-per-gate-table"
                  caption="Decisions per gate"
                  columns={GATE_COLUMNS}
                  rows={g.gates}
                  rowKey={(x) => x.gate}
                />
              )}
            </div>
            <div class="card">
              <h2>Closed and abandoned loops</h2>
              {r.recent.length === 0 ? (
                <p class="muted">No loop ended in this window.</p>
              ) : (
                <DataTable
                  testId="gates-recent-table"
                  caption="Loops closed or abandoned in the window, newest first"
                  columns={RECENT_COLUMNS}
                  rows={r.recent}
                  rowKey={(l) => `${l.loop_id}@${l.updated_at}`}
                  rowAttrs={(l) => ({ 'data-status': l.status })}
                />
              )}
            </div>
          </div>
        </>
      )}
    </ViewFrame>
  );
}
