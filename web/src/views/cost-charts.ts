import type { ChartConfiguration } from '../lib/chart';
import { seriesColor } from '../lib/chart-options';
import type { SummaryModel } from '../types/summary';
import type { DayCost, ReviewTokens, TierRow } from './cost-data';

/** Chart configurations of the cost view, from its loaded data. */

/** A model's name as shown (null is the events without one). */
export const modelName = (m: SummaryModel): string => m.model ?? '(no model)';

const shortDate = (ms: number) => new Date(ms).toISOString().slice(5, 10);
const bottomLegend = { legend: { position: 'bottom' as const } };

/** Estimated and reported cost per day, with the daily budget as a dashed line when set. */
export function costByDayChart(
  days: readonly DayCost[],
  budget: number | null,
): ChartConfiguration {
  const labels = days.map((d) => shortDate(d.since));
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          type: 'bar',
          label: 'Estimate (USD)',
          data: days.map((d) => d.cost_estimate_usd ?? 0),
          backgroundColor: 'var(--series-1)',
        },
        {
          type: 'bar',
          label: 'Reported (USD)',
          data: days.map((d) => d.cost_reported_usd),
          backgroundColor: 'var(--series-2)',
        },
        ...(budget === null
          ? []
          : [
              {
                type: 'line' as const,
                label: 'Daily budget',
                data: labels.map(() => budget),
                borderColor: 'var(--bad)',
                borderDash: [6, 4],
                pointRadius: 0,
                borderWidth: 2,
              },
            ]),
      ],
    },
    options: { plugins: bottomLegend, scales: { y: { beginAtZero: true } } },
  } as ChartConfiguration;
}

/** Tokens in and out per day, stacked. */
export function tokensByDayChart(days: readonly DayCost[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: days.map((d) => shortDate(d.since)),
      datasets: [
        {
          label: 'Tokens in',
          data: days.map((d) => d.tokens_input),
          backgroundColor: 'var(--series-1)',
          stack: 't',
        },
        {
          label: 'Tokens out',
          data: days.map((d) => d.tokens_output),
          backgroundColor: 'var(--series-3)',
          stack: 't',
        },
      ],
    },
    options: {
      plugins: bottomLegend,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
    },
  };
}

/** Tokens in and out per model, as horizontal stacked bars. */
export function tokensByModelChart(rows: readonly SummaryModel[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: rows.map(modelName),
      datasets: [
        {
          label: 'Tokens in',
          data: rows.map((r) => r.tokens_input),
          backgroundColor: seriesColor(0),
          stack: 't',
        },
        {
          label: 'Tokens out',
          data: rows.map((r) => r.tokens_output),
          backgroundColor: seriesColor(2),
          stack: 't',
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: bottomLegend,
      scales: { x: { stacked: true }, y: { stacked: true } },
    },
  };
}

/** Tokens per task by complexity tier. */
export function complexityChart(tiers: readonly TierRow[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: tiers.map((t) => t.complexity),
      datasets: [
        {
          label: 'Tokens per task',
          data: tiers.map((t) => t.tokens_per_task ?? 0),
          backgroundColor: 'var(--series-5)',
        },
      ],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  };
}

/** Tokens per review for the 30 tasks with the most. */
export function reviewTokensChart(rows: readonly ReviewTokens[]): ChartConfiguration {
  const top = rows.slice(0, 30);
  return {
    type: 'bar',
    data: {
      labels: top.map((r) => r.task_id),
      datasets: [
        {
          label: 'Tokens per review',
          data: top.map((r) => r.tokens_per_review),
          backgroundColor: 'var(--series-6)',
        },
      ],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  };
}
