import { useMemo } from 'preact/hooks';

import { useApi } from '../lib/api';
import { Chart } from '../lib/chart';
import { formatNumber, formatUsd } from '../lib/format';
import { DAY_MS, resolveRange } from '../lib/time-range';
import { useAsync } from '../lib/use-async';
import { DataTable, Kpi, ViewFrame, viewStateOf, type Column, type ViewProps } from '../lib/view';
import type { SummaryModel, SummaryResponse } from '../types/summary';
import {
  complexityChart,
  costByDayChart,
  modelName,
  reviewTokensChart,
  tokensByDayChart,
  tokensByModelChart,
} from './cost-charts';
import { EVENT_SAMPLE, loadDays, loadReviewTokens, loadTiers, type TierRow } from './cost-data';

const DEFAULT_SPAN_MS = 7 * DAY_MS;

const COLUMNS: Column<SummaryModel>[] = [
  { key: 'model', label: 'Model', render: modelName },
  { key: 'tasks', label: 'Tasks', numeric: true },
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
    key: 'tokens_cache_read',
    label: 'Cache read',
    numeric: true,
    render: (r) => formatNumber(r.tokens_cache_read),
  },
  {
    key: 'cost_estimate_usd',
    label: 'Estimate',
    numeric: true,
    render: (r) =>
      r.priced ? formatUsd(r.cost_estimate_usd) : <span class="muted">unpriced</span>,
    sortValue: (r) => r.cost_estimate_usd ?? -1,
  },
  {
    key: 'cost_reported_usd',
    label: 'Reported',
    numeric: true,
    render: (r) => formatUsd(r.cost_reported_usd),
  },
];

const TIER_COLUMNS: Column<TierRow>[] = [
  { key: 'complexity', label: 'Complexity' },
  { key: 'tasks', label: 'Tasks', numeric: true },
  { key: 'tokens', label: 'Tokens', numeric: true, render: (r) => formatNumber(r.tokens) },
  {
    key: 'tokens_per_task',
    label: 'Tokens per task',
    numeric: true,
    render: (r) => formatNumber(r.tokens_per_task),
  },
  {
    key: 'cost_reported_usd',
    label: 'Cost reported',
    numeric: true,
    render: (r) => formatUsd(r.cost_reported_usd),
  },
];

/**
 * Cost and tokens: by model (the summary's), by day (with a daily budget line when one is set
 * in the URL), by task complexity tier, and tokens per review.
 */
export default function CostView({ filters, params, setParams }: ViewProps) {
  const { since, until, model } = filters;
  const range = useMemo(() => {
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    return resolveRange(since, until, DEFAULT_SPAN_MS, now);
  }, [since, until]);
  // A budget typed into the view wins over the hub's configured `[budget] daily_usd`.
  const configured = useApi<{ daily_usd: number | null }>('/api/budget', {}, { live: false });
  const budget =
    params['budget'] !== undefined
      ? Number(params['budget'])
      : (configured.data?.daily_usd ?? Number.NaN);
  const hasBudget = Number.isFinite(budget) && budget > 0;

  const result = useApi<SummaryResponse>('/api/summary', { since, until, model });
  const key = `${since ?? ''}|${until ?? ''}|${model ?? ''}`;
  const days = useAsync(
    (signal) => loadDays(range, model, signal),
    `${range.since}-${range.until}|${model ?? ''}`,
    {
      liveIntervalMs: 10_000,
    },
  );
  const tiers = useAsync((signal) => loadTiers({ since, until, model }, signal), key, {
    liveIntervalMs: 10_000,
  });
  const reviews = useAsync((signal) => loadReviewTokens({ since, until, model }, signal), key, {
    liveIntervalMs: 10_000,
  });

  const state = viewStateOf(result, (d) => d.by_model.length === 0 && d.summary.total_tokens === 0);
  const s = result.data?.summary;

  const byDay = useMemo(
    () => days.data && costByDayChart(days.data, hasBudget ? budget : null),
    [days.data, hasBudget, budget],
  );
  const tokensByDay = useMemo(() => days.data && tokensByDayChart(days.data), [days.data]);
  const byModel = useMemo(
    () => result.data && tokensByModelChart(result.data.by_model),
    [result.data],
  );
  const tierChart = useMemo(
    () => (tiers.data?.length ? complexityChart(tiers.data) : null),
    [tiers.data],
  );
  const reviewChart = useMemo(
    () => (reviews.data?.rows.length ? reviewTokensChart(reviews.data.rows) : null),
    [reviews.data],
  );

  const perReview =
    reviews.data && reviews.data.reviews > 0 ? reviews.data.tokens / reviews.data.reviews : null;
  const budgetInput = (
    <label class="filter-field inline">
      <span>Daily budget (USD)</span>
      <input
        type="number"
        min="0"
        step="any"
        data-param="budget"
        value={params['budget'] ?? ''}
        placeholder={
          configured.data?.daily_usd != null ? String(configured.data.daily_usd) : 'none'
        }
        onChange={(e) => setParams({ budget: e.currentTarget.value || undefined })}
      />
    </label>
  );

  return (
    <ViewFrame
      id="cost"
      title="Cost and tokens"
      state={state}
      error={result.error}
      onRetry={result.reload}
      filters={['time', 'model']}
      actions={budgetInput}
      exportRows={() => [
        ...(result.data?.by_model ?? []).map((m) => ({
          breakdown: 'model',
          ...m,
          model: modelName(m),
        })),
        ...(days.data ?? []).map((d) => ({
          breakdown: 'day',
          day: new Date(d.since).toISOString(),
          ...d,
        })),
        ...(tiers.data ?? []).map((t) => ({ breakdown: 'complexity', ...t })),
        ...(reviews.data?.rows ?? []).map((r) => ({ breakdown: 'review', ...r })),
      ]}
      emptyText="No tokens or cost in this range."
    >
      {s && (
        <>
          <div class="kpis">
            <Kpi
              name="cost_estimate"
              label="Cost (estimate)"
              value={formatUsd(s.cost_estimate_usd)}
              raw={s.cost_estimate_usd}
              hint={
                s.unpriced_models.length
                  ? `unpriced: ${s.unpriced_models.join(', ')}`
                  : `prices of ${result.data?.prices_taken_on ?? ''}`
              }
            />
            <Kpi
              name="cost_reported"
              label="Cost (reported)"
              value={formatUsd(s.cost_reported_usd)}
              raw={s.cost_reported_usd}
            />
            <Kpi
              name="tokens_in"
              label="Tokens in"
              value={formatNumber(s.tokens_input)}
              raw={s.tokens_input}
            />
            <Kpi
              name="tokens_out"
              label="Tokens out"
              value={formatNumber(s.tokens_output)}
              raw={s.tokens_output}
            />
            <Kpi
              name="cost_per_task"
              label="Cost per task"
              value={formatUsd(s.total_tasks ? (s.cost_estimate_usd ?? 0) / s.total_tasks : null)}
              raw={s.total_tasks ? (s.cost_estimate_usd ?? 0) / s.total_tasks : null}
            />
            <Kpi
              name="tokens_per_review"
              label="Tokens per review"
              value={formatNumber(perReview === null ? null : Math.round(perReview))}
              raw={perReview}
            />
          </div>
          <div class="grid">
            <div class="card">
              <h2>
                Cost by day{' '}
                {hasBudget && <span class="badge bad">budget {formatUsd(budget)}/day</span>}
              </h2>
              {byDay ? (
                <Chart name="cost-by-day" config={byDay} label="Cost per day" />
              ) : (
                <p class="muted">Loading…</p>
              )}
            </div>
            <div class="card">
              <h2>Tokens by day</h2>
              {tokensByDay ? (
                <Chart name="tokens-by-day" config={tokensByDay} label="Tokens per day" />
              ) : (
                <p class="muted">Loading…</p>
              )}
            </div>
            <div class="card">
              <h2>Tokens by model</h2>
              {byModel && (
                <Chart
                  name="cost-by-model"
                  config={byModel}
                  height={Math.max(160, 28 * (result.data?.by_model.length ?? 0) + 60)}
                  label="Tokens by model"
                />
              )}
            </div>
            <div class="card">
              <h2>By complexity tier</h2>
              {tierChart ? (
                <Chart
                  name="cost-by-complexity"
                  config={tierChart}
                  height={180}
                  label="Tokens per task by complexity"
                />
              ) : (
                <p class="muted">
                  {tiers.data ? 'No task reports a complexity in this range.' : 'Loading…'}
                </p>
              )}
              {tiers.data && tiers.data.length > 0 && (
                <DataTable
                  testId="cost-complexity-table"
                  columns={TIER_COLUMNS}
                  rows={tiers.data}
                  rowKey={(r) => r.complexity}
                />
              )}
              <p class="muted">
                From the newest {formatNumber(EVENT_SAMPLE)} task events of the range.
              </p>
            </div>
            <div class="card">
              <h2>Tokens per review</h2>
              {reviewChart ? (
                <Chart
                  name="tokens-per-review"
                  config={reviewChart}
                  height={200}
                  label="Tokens per review by task"
                />
              ) : (
                <p class="muted">
                  {reviews.data ? 'No LLM calls made for reviews in this range.' : 'Loading…'}
                </p>
              )}
            </div>
          </div>
          <h2>By model</h2>
          <DataTable
            testId="cost-table"
            columns={COLUMNS}
            rows={result.data?.by_model ?? []}
            rowKey={modelName}
            caption="Cost and tokens by model"
          />
        </>
      )}
    </ViewFrame>
  );
}
