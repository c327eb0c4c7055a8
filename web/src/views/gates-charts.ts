import type { ChartConfiguration } from '../lib/chart';
import { timeAxis } from '../lib/chart-options';
import { formatTime } from '../lib/format';

/** A quality-gate decision, as `/api/metrics/quality_gates` lists it in `history`. */
export interface GateDecision {
  event_id: string;
  at: string;
  task_id: string | null;
  gate: string;
  decision: 'approved' | 'rejected' | 'warned' | 'other';
  consensus_score: number | null;
  quorum_satisfied: boolean | null;
  reviewers: string[];
  rubric_scores: Record<string, number>;
  reason: string | null;
  event_type: string;
}

export interface GateBreakdown {
  gate: string;
  decisions: number;
  approved: number;
  rejected: number;
  warned: number;
  approval_rate: number | null;
  avg_consensus: number | null;
}

export interface RubricCriterion {
  criterion: string;
  average: number;
  min: number;
  max: number;
  count: number;
}

/** `/api/metrics/quality_gates`. */
export interface QualityGatesResponse {
  window: { since: string; until: string };
  generated_at: string;
  decisions: number;
  approved: number;
  rejected: number;
  warned: number;
  other: number;
  approval_rate: number | null;
  consensus: {
    average: number | null;
    scored: number;
    quorum_satisfied: number;
    quorum_missed: number;
  };
  gates: GateBreakdown[];
  rubric: RubricCriterion[];
  history: GateDecision[];
  history_total: number;
}

/** A resolution loop, live or closed. */
export interface Loop {
  loop_id: string;
  task_id: string | null;
  run_id: string | null;
  status: string;
  opened_at: string | null;
  closed_at: string | null;
  updated_at: string;
  attempt_count: number;
  incident_count: number;
  last_outcome: string | null;
  last_label: string | null;
  duration_seconds: number | null;
  age_seconds: number | null;
}

/** Attempt outcomes, in the order `historical.attempts` lists them. */
export const OUTCOMES = [
  'success',
  'failure',
  'timeout',
  'cancelled',
  'pending',
  'unknown',
] as const;

/** `/api/metrics/resolution`. */
export interface ResolutionResponse {
  window: { since: string; until: string };
  generated_at: string;
  live: { count: number; loops: Loop[] };
  historical: {
    loops: number;
    closed: number;
    abandoned: number;
    success_rate: number | null;
    avg_attempts: number | null;
    avg_duration_seconds: number | null;
    incidents: number;
    attempts: Record<(typeof OUTCOMES)[number], number>;
  };
  recent: Loop[];
}

export const DECISION_COLOR: Record<GateDecision['decision'], string> = {
  approved: 'var(--ok)',
  rejected: 'var(--bad)',
  warned: 'var(--warn)',
  other: 'var(--series-8)',
};

/** Decisions per gate, stacked by outcome. */
export function gateDecisionsChart(gates: readonly GateBreakdown[]): ChartConfiguration {
  const other = gates.map((g) => Math.max(0, g.decisions - g.approved - g.rejected - g.warned));
  return {
    type: 'bar',
    data: {
      labels: gates.map((g) => g.gate),
      datasets: [
        {
          label: 'approved',
          data: gates.map((g) => g.approved),
          backgroundColor: DECISION_COLOR.approved,
        },
        {
          label: 'rejected',
          data: gates.map((g) => g.rejected),
          backgroundColor: DECISION_COLOR.rejected,
        },
        {
          label: 'warned',
          data: gates.map((g) => g.warned),
          backgroundColor: DECISION_COLOR.warned,
        },
        ...(other.some((n) => n > 0)
          ? [{ label: 'other', data: other, backgroundColor: DECISION_COLOR.other }]
          : []),
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { position: 'bottom' } },
      scales: {
        x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        y: { stacked: true },
      },
    },
  };
}

/** Rubric criteria: the average as a bar over the min-max range. */
export function rubricChart(rubric: readonly RubricCriterion[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: rubric.map((r) => r.criterion),
      datasets: [
        {
          label: 'average',
          data: rubric.map((r) => r.average),
          backgroundColor: 'var(--series-1)',
          grouped: false,
          order: 0,
          barPercentage: 0.5,
        },
        {
          label: 'min-max',
          data: rubric.map((r) => [r.min, r.max] as [number, number]),
          backgroundColor: 'var(--accent-soft)',
          grouped: false,
          order: 1,
          barPercentage: 0.9,
        },
      ],
    },
    options: {
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            afterBody: (items) => {
              const r = rubric[items[0]?.dataIndex ?? -1];
              return r ? `${r.count} score${r.count === 1 ? '' : 's'}, ${r.min}-${r.max}` : '';
            },
          },
        },
      },
      scales: { y: { beginAtZero: true } },
    },
  };
}

/** Consensus score of each decision over time, coloured by decision. */
export function consensusChart(history: readonly GateDecision[]): ChartConfiguration {
  const scored = history
    .filter((d) => d.consensus_score !== null)
    .map((d) => ({ d, x: Date.parse(d.at), y: d.consensus_score ?? 0 }))
    .sort((a, b) => a.x - b.x);
  const span = scored.length > 1 ? (scored.at(-1)?.x ?? 0) - (scored[0]?.x ?? 0) : undefined;
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'consensus score',
          data: scored.map(({ x, y }) => ({ x, y })),
          borderColor: 'var(--series-1)',
          borderWidth: 1,
          borderDash: [4, 4],
          pointRadius: 4,
          pointHoverRadius: 6,
          pointBackgroundColor: scored.map(({ d }) => DECISION_COLOR[d.decision]),
          pointBorderColor: scored.map(({ d }) => DECISION_COLOR[d.decision]),
        },
      ],
    },
    options: {
      parsing: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => formatTime(items[0]?.parsed.x ?? 0),
            label: (item) => {
              const d = scored[item.dataIndex]?.d;
              return d ? `${d.gate}: ${d.decision}, consensus ${d.consensus_score ?? '—'}` : '';
            },
            afterLabel: (item) => scored[item.dataIndex]?.d.task_id ?? '',
          },
        },
      },
      scales: { x: timeAxis(span), y: { beginAtZero: true, suggestedMax: 1 } },
    },
  };
}

/** Resolution attempts by outcome. */
export function attemptsChart(
  attempts: ResolutionResponse['historical']['attempts'],
): ChartConfiguration {
  const colors: Record<(typeof OUTCOMES)[number], string> = {
    success: 'var(--ok)',
    failure: 'var(--bad)',
    timeout: 'var(--series-2)',
    cancelled: 'var(--warn)',
    pending: 'var(--series-1)',
    unknown: 'var(--series-8)',
  };
  return {
    type: 'doughnut',
    data: {
      labels: [...OUTCOMES],
      datasets: [
        {
          data: OUTCOMES.map((o) => attempts[o] ?? 0),
          backgroundColor: OUTCOMES.map((o) => colors[o]),
        },
      ],
    },
    options: { plugins: { legend: { position: 'right' } } },
  };
}
