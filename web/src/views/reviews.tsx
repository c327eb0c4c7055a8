import { useMemo } from 'preact/hooks';

import { Chart, type ChartConfiguration } from '../lib/chart';
import { timeSeriesOptions } from '../lib/chart-options';
import { formatNumber, formatPercent, formatTime } from '../lib/format';
import { usePagedApi } from '../lib/use-paged';
import {
  DataTable,
  Kpi,
  ViewFrame,
  type Column,
  type ViewProps,
  type ViewState,
} from '../lib/view';
import { SEVERITY_TIERS, type Review, type ReviewsResponse } from '../types/reviews';
import { ReviewDetailPanel } from './review-detail';

const PAGE = 500;

const COLUMNS: Column<Review>[] = [
  { key: 'completed_at', label: 'Completed', render: (r) => formatTime(r.completed_at) },
  { key: 'task_id', label: 'Task', render: (r) => <span class="mono">{r.task_id ?? '—'}</span> },
  {
    key: 'cs',
    label: 'CS',
    numeric: true,
    render: (r) => formatNumber(r.cs),
    sortValue: (r) => r.cs ?? -1,
  },
  { key: 'tier', label: 'Tier' },
  {
    key: 'passed',
    label: 'Result',
    render: (r) =>
      r.passed === null ? (
        '—'
      ) : (
        <span class={`badge ${r.passed ? 'ok' : 'bad'}`}>{r.passed ? 'passed' : 'blocked'}</span>
      ),
    sortValue: (r) => (r.passed ? 1 : 0),
  },
  {
    key: 'mpr_applied',
    label: 'MPR',
    render: (r) => (r.mpr_applied ? <span class="badge warn">triggered</span> : ''),
    sortValue: (r) => (r.mpr_applied ? 1 : 0),
  },
  { key: 'findings_count', label: 'Findings', numeric: true },
  { key: 'reviewers', label: 'Reviewers', render: (r) => r.reviewers.length },
];

function Select(props: {
  param: string;
  label: string;
  value: string | undefined;
  options: [string, string][];
  onChange(v: string | undefined): void;
}) {
  return (
    <label class="filter-field inline">
      <span>{props.label}</span>
      <select
        class="select"
        data-param={props.param}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.currentTarget.value || undefined)}
      >
        <option value="">any</option>
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Reviews: consensus score over time, passed and blocked per tier, Minority Protection Rule
 * triggers, and the list; a row opens the review with its reviewers and findings.
 */
export default function ReviewsView({ filters, params, setParams }: ViewProps) {
  const { since, until } = filters;
  const { tier, passed, mpr } = params;
  const list = usePagedApi<Review>(
    '/api/reviews',
    { since, until, tier, passed, mpr, limit: PAGE },
    (r: ReviewsResponse) => r.reviews,
    (r) => r.id,
  );
  const reviews = list.items;
  const state: ViewState = list.loading
    ? 'loading'
    : list.error && reviews.length === 0
      ? 'error'
      : reviews.length === 0
        ? 'empty'
        : 'ready';

  const stats = useMemo(() => {
    const passedN = reviews.filter((r) => r.passed === true).length;
    const decided = reviews.filter((r) => r.passed !== null).length;
    const scored = reviews.filter((r) => r.cs !== null);
    return {
      total: reviews.length,
      passRate: decided ? passedN / decided : null,
      avgCs: scored.length ? scored.reduce((n, r) => n + (r.cs ?? 0), 0) / scored.length : null,
      mpr: reviews.filter((r) => r.mpr_applied).length,
    };
  }, [reviews]);

  const consensus = useMemo((): ChartConfiguration => {
    const points = (keep: (r: Review) => boolean) =>
      reviews
        .filter((r) => r.cs !== null && keep(r))
        .map((r) => ({ x: Date.parse(r.completed_at), y: r.cs ?? 0 }))
        .sort((a, b) => a.x - b.x);
    const xs = reviews.map((r) => Date.parse(r.completed_at));
    const base = timeSeriesOptions(
      xs.length ? Math.max(...xs) - Math.min(...xs) : undefined,
      'Consensus score',
    );
    const scatter = { showLine: false, pointRadius: 4, pointHoverRadius: 6 };
    return {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'Passed',
            data: points((r) => r.passed === true && !r.mpr_applied),
            borderColor: 'var(--ok)',
            backgroundColor: 'var(--ok)',
            ...scatter,
          },
          {
            label: 'Blocked',
            data: points((r) => r.passed !== true && !r.mpr_applied),
            borderColor: 'var(--bad)',
            backgroundColor: 'var(--bad)',
            ...scatter,
          },
          {
            label: 'MPR triggered',
            data: points((r) => r.mpr_applied === true),
            borderColor: 'var(--warn)',
            backgroundColor: 'var(--warn)',
            pointStyle: 'triangle',
            ...scatter,
            pointRadius: 6,
          },
        ],
      },
      options: {
        ...base,
        scales: {
          ...base.scales,
          y: { min: 0, max: 10, title: { display: true, text: 'Consensus score' } },
        },
      },
    };
  }, [reviews]);

  const byTier = useMemo((): ChartConfiguration => {
    const count = (t: string, keep: (r: Review) => boolean) =>
      reviews.filter((r) => r.tier === t && keep(r)).length;
    return {
      type: 'bar',
      data: {
        labels: [...SEVERITY_TIERS],
        datasets: [
          {
            label: 'Passed',
            data: SEVERITY_TIERS.map((t) => count(t, (r) => r.passed === true)),
            backgroundColor: 'var(--ok)',
            stack: 's',
          },
          {
            label: 'Blocked',
            data: SEVERITY_TIERS.map((t) => count(t, (r) => r.passed === false)),
            backgroundColor: 'var(--bad)',
            stack: 's',
          },
          {
            label: 'MPR triggered',
            data: SEVERITY_TIERS.map((t) => count(t, (r) => r.mpr_applied === true)),
            backgroundColor: 'var(--warn)',
          },
        ],
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: { x: { stacked: true }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [reviews]);

  const tools = (
    <>
      <Select
        param="tier"
        label="Tier"
        value={tier}
        options={SEVERITY_TIERS.map((t) => [t, t])}
        onChange={(v) => setParams({ tier: v })}
      />
      <Select
        param="passed"
        label="Result"
        value={passed}
        options={[
          ['true', 'passed'],
          ['false', 'blocked'],
        ]}
        onChange={(v) => setParams({ passed: v })}
      />
      <Select
        param="mpr"
        label="Minority protection"
        value={mpr}
        options={[
          ['true', 'triggered'],
          ['false', 'not triggered'],
        ]}
        onChange={(v) => setParams({ mpr: v })}
      />
    </>
  );

  return (
    <>
      <ViewFrame
        id="reviews"
        title="Reviews"
        state={state}
        error={list.error}
        onRetry={list.reload}
        filters={['time']}
        actions={tools}
        exportRows={() => reviews.map((r) => ({ ...r }))}
        emptyText="No reviews for these filters."
      >
        <div class="kpis">
          <Kpi
            name="reviews"
            label="Reviews"
            value={formatNumber(stats.total)}
            raw={stats.total}
            hint={list.hasMore ? 'more to load below' : undefined}
          />
          <Kpi
            name="pass_rate"
            label="Passed"
            value={formatPercent(stats.passRate)}
            raw={stats.passRate}
          />
          <Kpi
            name="avg_cs"
            label="Average consensus"
            value={formatNumber(stats.avgCs === null ? null : Math.round(stats.avgCs * 100) / 100)}
            raw={stats.avgCs}
          />
          <Kpi name="mpr" label="MPR triggers" value={formatNumber(stats.mpr)} raw={stats.mpr} />
        </div>
        <div class="grid">
          <div class="card">
            <h2>Consensus score over time</h2>
            <Chart
              name="reviews-consensus"
              config={consensus}
              label="Consensus score of each review over time"
            />
          </div>
          <div class="card">
            <h2>By tier</h2>
            <Chart
              name="reviews-by-tier"
              config={byTier}
              label="Passed, blocked and MPR-triggered reviews per tier"
            />
          </div>
        </div>
        <DataTable
          testId="reviews-table"
          columns={COLUMNS}
          rows={reviews}
          rowKey={(r) => r.id}
          rowAttrs={(r) => ({ 'data-review-id': r.id })}
          onRowClick={(r) => setParams({ review: r.id })}
          caption="Reviews; select one to see its findings"
        />
        {list.hasMore && (
          <p>
            <button
              type="button"
              class="button"
              data-testid="load-more"
              disabled={list.loadingMore}
              onClick={list.loadMore}
            >
              {list.loadingMore ? 'Loading…' : `Load ${PAGE} more`}
            </button>
          </p>
        )}
      </ViewFrame>
      {params['review'] && (
        <ReviewDetailPanel id={params['review']} onClose={() => setParams({ review: undefined })} />
      )}
    </>
  );
}
