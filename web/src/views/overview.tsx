import { useMemo } from 'preact/hooks';

import { getJson, useApi } from '../lib/api';
import { Chart, type ChartConfiguration } from '../lib/chart';
import { formatDurationMs, formatNumber, formatPercent, formatUsd } from '../lib/format';
import { bucketsOf, DAY_MS, isoOf, previousRange, resolveRange } from '../lib/time-range';
import { mapLimit, useAsync } from '../lib/use-async';
import { DataTable, Kpi, ViewFrame, viewStateOf, type Column, type ViewProps } from '../lib/view';
import type { SummaryModel, SummaryResponse } from '../types/summary';
import { LiveCounters } from './overview-live';

/** /api/summary's default range: the last 7 days. */
const DEFAULT_SPAN_MS = 7 * DAY_MS;
const SPARK_BUCKETS = 12;

/** Relative change, or null when there is nothing to compare with. */
function change(now: number | null | undefined, before: number | null | undefined): number | null {
  if (now === null || now === undefined || before === null || before === undefined || before === 0)
    return null;
  return (now - before) / Math.abs(before);
}

const COLUMNS: Column<SummaryModel>[] = [
  { key: 'model', label: 'Model', render: (r) => r.model ?? '(no model)' },
  { key: 'tasks', label: 'Tasks', numeric: true, render: (r) => formatNumber(r.tasks) },
  {
    key: 'success_rate',
    label: 'Success',
    numeric: true,
    render: (r) => formatPercent(r.success_rate),
  },
  {
    key: 'avg_duration_seconds',
    label: 'Avg duration',
    numeric: true,
    render: (r) =>
      formatDurationMs(r.avg_duration_seconds === null ? null : r.avg_duration_seconds * 1000),
  },
  {
    key: 'tokens_input',
    label: 'Tokens in',
    numeric: true,
    render: (r) => formatNumber(r.tokens_input),
  },
  {
    key: 'tokens_output',
    label: 'Tokens out',
    numeric: true,
    render: (r) => formatNumber(r.tokens_output),
  },
  {
    key: 'cost_estimate_usd',
    label: 'Cost (estimate)',
    numeric: true,
    render: (r) =>
      r.priced ? formatUsd(r.cost_estimate_usd) : <span class="muted">unpriced</span>,
    sortValue: (r) => r.cost_estimate_usd ?? -1,
  },
  {
    key: 'cost_reported_usd',
    label: 'Cost (reported)',
    numeric: true,
    render: (r) => formatUsd(r.cost_reported_usd),
  },
];

/**
 * Overview: seed 003's KPIs for the range (as /api/summary gives them) with the change against
 * the previous period of the same length, sparklines, tasks per period, live counters and the
 * per-model table.
 */
export default function OverviewView({ filters }: ViewProps) {
  const { since, until, model } = filters;
  // Absolute ranges are fixed per filter change (rounded to the minute) so URLs stay stable.
  const ranges = useMemo(() => {
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const current = resolveRange(since, until, DEFAULT_SPAN_MS, now);
    return {
      current,
      previous: previousRange(current),
      buckets: bucketsOf(current, SPARK_BUCKETS),
    };
  }, [since, until]);

  const result = useApi<SummaryResponse>('/api/summary', { since, until, model });
  const previous = useApi<SummaryResponse>(
    '/api/summary',
    { since: isoOf(ranges.previous.since), until: isoOf(ranges.previous.until), model },
    { live: false },
  );
  const series = useAsync(
    result.data === undefined
      ? null
      : (signal) =>
          mapLimit(ranges.buckets, 4, (b) =>
            getJson<SummaryResponse>(
              '/api/summary',
              { since: isoOf(b.since), until: isoOf(b.until), model },
              signal,
            ),
          ),
    `${JSON.stringify(ranges.buckets)}|${model ?? ''}`,
    { liveIntervalMs: 15_000 },
  );

  const state = viewStateOf(
    result,
    (d) => d.summary.total_tasks === 0 && d.summary.total_tokens === 0 && d.by_model.length === 0,
  );
  const s = result.data?.summary;
  const p = previous.data?.summary;
  const spark = (pick: (r: SummaryResponse) => number | null) =>
    series.data?.map((r) => pick(r) ?? 0);

  const tasksChart = useMemo((): ChartConfiguration | null => {
    if (!series.data) return null;
    const labels = ranges.buckets.map((b) => new Date(b.since).toISOString().slice(5, 10));
    return {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'Succeeded',
            data: series.data.map((r) => r.summary.successful_tasks),
            backgroundColor: 'var(--ok)',
            stack: 't',
          },
          {
            label: 'Failed or timed out',
            data: series.data.map((r) => r.summary.failed_tasks + r.summary.timed_out_tasks),
            backgroundColor: 'var(--bad)',
            stack: 't',
          },
          {
            label: 'Incomplete',
            data: series.data.map((r) => r.summary.incomplete_tasks),
            backgroundColor: 'var(--series-8)',
            stack: 't',
          },
        ],
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    };
  }, [series.data, ranges.buckets]);

  const exportRows = () => {
    const d = result.data;
    if (!d) return [];
    return [
      ...d.by_model.map((m) => ({ period_start: d.period.start, period_end: d.period.end, ...m })),
      {
        period_start: d.period.start,
        period_end: d.period.end,
        model: 'TOTAL',
        tasks: d.summary.total_tasks,
        ...d.summary,
      },
    ];
  };

  return (
    <ViewFrame
      id="overview"
      title="Overview"
      state={state}
      error={result.error}
      onRetry={result.reload}
      filters={['time', 'model']}
      exportRows={exportRows}
      emptyText="No tasks, tokens or cost in this range. Widen the time range or check that sources are being ingested."
    >
      {s && (
        <>
          <p class="muted">
            {result.data?.period.start} to {result.data?.period.end}
            {model ? ` · model ${model}` : ''} · compared with the previous{' '}
            {Math.round((ranges.current.until - ranges.current.since) / DAY_MS) || '<1'} days
          </p>
          <div class="kpis">
            <Kpi
              name="tasks"
              label="Tasks"
              value={formatNumber(s.total_tasks)}
              raw={s.total_tasks}
              delta={p ? change(s.total_tasks, p.total_tasks) : undefined}
              spark={spark((r) => r.summary.total_tasks)}
            />
            <Kpi
              name="success_rate"
              label="Success rate"
              value={formatPercent(s.success_rate)}
              raw={s.success_rate}
              delta={p ? change(s.success_rate, p.success_rate) : undefined}
              spark={spark((r) => r.summary.success_rate)}
              hint={`${formatNumber(s.successful_tasks)} of ${formatNumber(s.ended_tasks)} ended`}
            />
            <Kpi
              name="avg_duration"
              label="Average duration"
              value={formatDurationMs(
                s.avg_duration_seconds === null ? null : s.avg_duration_seconds * 1000,
              )}
              raw={s.avg_duration_seconds}
              delta={p ? change(s.avg_duration_seconds, p.avg_duration_seconds) : undefined}
              good="down"
              spark={spark((r) => r.summary.avg_duration_seconds)}
            />
            <Kpi
              name="tokens_in"
              label="Tokens in"
              value={formatNumber(s.tokens_input)}
              raw={s.tokens_input}
              delta={p ? change(s.tokens_input, p.tokens_input) : undefined}
              good="down"
              spark={spark((r) => r.summary.tokens_input)}
            />
            <Kpi
              name="tokens_out"
              label="Tokens out"
              value={formatNumber(s.tokens_output)}
              raw={s.tokens_output}
              delta={p ? change(s.tokens_output, p.tokens_output) : undefined}
              good="down"
              spark={spark((r) => r.summary.tokens_output)}
            />
            <Kpi
              name="cost"
              label="Cost (estimate)"
              value={formatUsd(s.cost_estimate_usd)}
              raw={s.cost_estimate_usd}
              delta={p ? change(s.cost_estimate_usd, p.cost_estimate_usd) : undefined}
              good="down"
              spark={spark((r) => r.summary.cost_estimate_usd)}
              hint={`${formatUsd(s.cost_reported_usd)} reported${s.unpriced_models.length ? ` · ${s.unpriced_models.length} unpriced` : ''}`}
            />
          </div>
          <div class="grid">
            <div class="card">
              <h2>Tasks per period</h2>
              {tasksChart ? (
                <Chart
                  name="overview-tasks"
                  config={tasksChart}
                  height={220}
                  label="Tasks per period by outcome"
                />
              ) : (
                <p class="muted">Loading the series…</p>
              )}
            </div>
            <LiveCounters />
          </div>
          <h2>By model</h2>
          <DataTable
            testId="overview-table"
            columns={COLUMNS}
            rows={result.data?.by_model ?? []}
            rowKey={(r) => r.model ?? '(no model)'}
            caption="Tasks, tokens and cost by model"
          />
        </>
      )}
    </ViewFrame>
  );
}
