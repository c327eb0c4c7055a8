import { useMemo } from 'preact/hooks';

import { useApi } from '../lib/api';
import { Chart, type ChartConfiguration } from '../lib/chart';
import { seriesColor } from '../lib/chart-options';
import { formatDate, formatNumber, formatPercent, formatTime } from '../lib/format';
import type { LiveEvent } from '../lib/live';
import { DataTable, Kpi, ViewFrame, viewStateOf, type Column, type ViewProps } from '../lib/view';
import type { KnowledgeResponse, KnowledgeReviewer } from '../types/knowledge';
import { KnowledgeDetail } from './knowledge-detail';

const ACTIVITY_TYPES = ['knowledge_entry', 'knowledge_updated', 'drift_detected'] as const;

const driftTone = (r: KnowledgeReviewer) =>
  !r.drift || r.drift.score === 0 ? 'ok' : r.drift.score >= 1 ? 'bad' : 'warn';

const COLUMNS: Column<KnowledgeReviewer>[] = [
  { key: 'reviewer', label: 'Reviewer' },
  { key: 'entries', label: 'Entries', numeric: true },
  {
    key: 'stale',
    label: 'Stale',
    numeric: true,
    render: (r) => `${r.staleness.stale_entries} (${formatPercent(r.staleness.stale_ratio, 0)})`,
    sortValue: (r) => r.staleness.stale_ratio ?? -1,
  },
  {
    key: 'days',
    label: 'Days since newest',
    numeric: true,
    render: (r) => formatNumber(r.staleness.days_since_newest),
    sortValue: (r) => r.staleness.days_since_newest ?? -1,
  },
  {
    key: 'bloat',
    label: 'Bloat',
    numeric: true,
    render: (r) => (
      <span
        class={r.bloat.bloated ? 'badge bad' : ''}
      >{`${r.bloat.entries}/${r.bloat.limit}`}</span>
    ),
    sortValue: (r) => r.bloat.ratio,
  },
  {
    key: 'drift',
    label: 'Drift',
    render: (r) =>
      r.drift ? (
        <span
          class={`badge ${driftTone(r)}`}
        >{`${r.drift.recommendation ?? 'drift'} (${r.drift.score})`}</span>
      ) : (
        <span class="badge ok">none</span>
      ),
    sortValue: (r) => r.drift?.score ?? -1,
  },
  {
    key: 'updates',
    label: 'Last update',
    render: (r) => formatTime(r.updates.last_at),
    sortValue: (r) => r.updates.last_at ?? '',
  },
];

/**
 * Knowledge health: staleness, bloat and drift per reviewer (from KNOWLEDGE.md entries and
 * drift events), entries per section, and knowledge activity over the time range.
 */
export default function KnowledgeView({ filters, params, setParams }: ViewProps) {
  const { since, until, role } = filters;
  const staleDays = params['stale_days'];
  const bloatLimit = params['bloat_limit'];
  const result = useApi<KnowledgeResponse>('/api/knowledge', {
    reviewer: role,
    stale_days: staleDays,
    bloat_limit: bloatLimit,
  });
  const activity = useApi<{ events: Omit<LiveEvent, 'seq'>[] }>('/api/events', {
    type: ACTIVITY_TYPES.join(','),
    since,
    until,
    role,
    latest: 5000,
  });
  const state = viewStateOf(result, (d) => d.reviewers.length === 0);
  const reviewers = result.data?.reviewers ?? [];

  const health = useMemo(
    (): ChartConfiguration => ({
      type: 'bar',
      data: {
        labels: reviewers.map((r) => r.reviewer),
        datasets: [
          {
            label: 'Stale (share of dated entries)',
            data: reviewers.map((r) => r.staleness.stale_ratio ?? 0),
            backgroundColor: 'var(--warn)',
          },
          {
            label: 'Bloat (entries / limit)',
            data: reviewers.map((r) => r.bloat.ratio),
            backgroundColor: 'var(--series-5)',
          },
          {
            label: 'Drift score',
            data: reviewers.map((r) => r.drift?.score ?? 0),
            backgroundColor: 'var(--bad)',
          },
        ],
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: true, suggestedMax: 1 } },
      },
    }),
    [reviewers],
  );

  const sections = useMemo((): ChartConfiguration => {
    const names = [...new Set(reviewers.flatMap((r) => Object.keys(r.sections)))].sort();
    return {
      type: 'bar',
      data: {
        labels: reviewers.map((r) => r.reviewer),
        datasets: names.map((s, i) => ({
          label: s,
          data: reviewers.map((r) => r.sections[s] ?? 0),
          backgroundColor: seriesColor(i),
          stack: 'e',
        })),
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    };
  }, [reviewers]);

  const activityChart = useMemo((): ChartConfiguration | null => {
    const events = activity.data?.events ?? [];
    if (events.length === 0) return null;
    const days = [...new Set(events.map((e) => formatDate(e.timestamp)))].sort();
    return {
      type: 'bar',
      data: {
        labels: days,
        datasets: ACTIVITY_TYPES.map((t, i) => ({
          label:
            t === 'knowledge_entry'
              ? 'Entries dated'
              : t === 'knowledge_updated'
                ? 'Updates'
                : 'Drift detected',
          data: days.map(
            (d) => events.filter((e) => e.event_type === t && formatDate(e.timestamp) === d).length,
          ),
          backgroundColor: seriesColor(i),
        })),
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [activity.data]);

  const entries = reviewers.reduce((n, r) => n + r.entries, 0);
  const stale = reviewers.reduce((n, r) => n + r.staleness.stale_entries, 0);
  const open = reviewers.find((r) => r.reviewer === params['reviewer']);
  const number = (param: string, label: string, placeholder: string) => (
    <label class="filter-field inline">
      <span>{label}</span>
      <input
        type="number"
        min="1"
        data-param={param}
        value={params[param] ?? ''}
        placeholder={placeholder}
        onChange={(e) => setParams({ [param]: e.currentTarget.value || undefined })}
      />
    </label>
  );

  return (
    <>
      <ViewFrame
        id="knowledge"
        title="Knowledge health"
        state={state}
        error={result.error}
        onRetry={result.reload}
        filters={['time', 'role']}
        actions={
          <>
            {number('stale_days', 'Stale after (days)', String(result.data?.stale_days ?? 90))}
            {number('bloat_limit', 'Bloat limit', String(result.data?.bloat_limit ?? 150))}
          </>
        }
        exportRows={() =>
          reviewers.map((r) => ({
            reviewer: r.reviewer,
            entries: r.entries,
            ...r.staleness,
            bloat_ratio: r.bloat.ratio,
            bloated: r.bloat.bloated,
            drift_score: r.drift?.score ?? null,
            drift_recommendation: r.drift?.recommendation ?? null,
            drift_signals: r.drift?.signals ?? [],
            updates: r.updates.events,
            last_update: r.updates.last_at,
            sections: r.sections,
          }))
        }
        emptyText="No reviewer knowledge found (KNOWLEDGE.md entries, knowledge and drift events)."
      >
        <p class="muted">
          The agent-role filter selects a reviewer; the time range applies to the activity chart.
          Entries older than {result.data?.stale_days} days are stale.
        </p>
        <div class="kpis">
          <Kpi
            name="reviewers"
            label="Reviewers"
            value={formatNumber(reviewers.length)}
            raw={reviewers.length}
          />
          <Kpi name="entries" label="Entries" value={formatNumber(entries)} raw={entries} />
          <Kpi name="stale_entries" label="Stale entries" value={formatNumber(stale)} raw={stale} />
          <Kpi
            name="bloated"
            label="Bloated reviewers"
            value={formatNumber(reviewers.filter((r) => r.bloat.bloated).length)}
            raw={reviewers.filter((r) => r.bloat.bloated).length}
          />
          <Kpi
            name="drifting"
            label="Drifting reviewers"
            value={formatNumber(reviewers.filter((r) => (r.drift?.score ?? 0) > 0).length)}
            raw={reviewers.filter((r) => (r.drift?.score ?? 0) > 0).length}
          />
        </div>
        <div class="grid">
          <div class="card">
            <h2>Staleness, bloat and drift</h2>
            <Chart
              name="knowledge-health"
              config={health}
              label="Stale share, bloat ratio and drift score per reviewer"
            />
          </div>
          <div class="card">
            <h2>Entries by section</h2>
            <Chart
              name="knowledge-sections"
              config={sections}
              label="Knowledge entries per reviewer and section"
            />
          </div>
          <div class="card">
            <h2>Activity in the range</h2>
            {activityChart ? (
              <Chart
                name="knowledge-activity"
                config={activityChart}
                label="Knowledge entries, updates and drift per day"
              />
            ) : (
              <p class="muted">
                {activity.data ? 'No knowledge activity in this range.' : 'Loading…'}
              </p>
            )}
          </div>
        </div>
        <DataTable
          testId="knowledge-table"
          columns={COLUMNS}
          rows={reviewers}
          rowKey={(r) => r.reviewer}
          onRowClick={(r) => setParams({ reviewer: r.reviewer })}
          caption="Knowledge health per reviewer"
        />
      </ViewFrame>
      {open && (
        <KnowledgeDetail reviewer={open} onClose={() => setParams({ reviewer: undefined })} />
      )}
    </>
  );
}
