import type { Summary } from '../core/summary.js';
import { toCsv } from './csv.js';

/** The summary in its exchange forms (JSON objects and CSV), shared by the CLI and the API. */
const round = (n: number | null, digits: number) => (n === null ? null : Number(n.toFixed(digits)));

/** The KPI tracker's JSON summary object (golden path 2), with Vigil's additional fields. */
export function summaryJson(s: Summary): Record<string, unknown> {
  return {
    total_tasks: s.totalTasks,
    success_rate: round(s.successRate, 3),
    total_tokens: s.totalTokens,
    tokens_input: s.tokensIn,
    tokens_output: s.tokensOut,
    tokens_cache_read: s.tokensCacheRead,
    tokens_cache_write: s.tokensCacheWrite,
    avg_duration_seconds: round(s.avgDurationSeconds, 3),
    cost_estimate_usd: round(s.costUsd, 6),
    cost_reported_usd: round(s.costReportedUsd, 6),
    ended_tasks: s.endedTasks,
    successful_tasks: s.successfulTasks,
    failed_tasks: s.failedTasks,
    timed_out_tasks: s.timedOutTasks,
    incomplete_tasks: s.incompleteTasks,
    unpriced_models: s.unpricedModels,
  };
}

export function byModelJson(s: Summary): Record<string, unknown>[] {
  return s.byModel.map((m) => ({
    model: m.model || null,
    tasks: m.tasks,
    success_rate: round(m.successRate, 3),
    successful_tasks: m.success,
    failed_tasks: m.failure,
    timed_out_tasks: m.timeout,
    incomplete_tasks: m.incomplete,
    avg_duration_seconds: round(m.avgDurationSeconds, 3),
    tokens_input: m.tokensIn,
    tokens_output: m.tokensOut,
    tokens_cache_read: m.tokensCacheRead,
    tokens_cache_write: m.tokensCacheWrite,
    cost_estimate_usd: round(m.costUsd, 6),
    cost_reported_usd: round(m.costReportedUsd, 6),
    priced: m.priced,
  }));
}

const CSV_HEADER = [
  'model',
  'tasks',
  'success_rate',
  'successful_tasks',
  'failed_tasks',
  'timed_out_tasks',
  'incomplete_tasks',
  'avg_duration_seconds',
  'tokens_input',
  'tokens_output',
  'tokens_cache_read',
  'tokens_cache_write',
  'cost_estimate_usd',
  'cost_reported_usd',
];

export function summaryCsv(s: Summary): string {
  const rows = byModelJson(s).map((m) =>
    CSV_HEADER.map((h) => (h === 'model' ? (m['model'] ?? '(no model)') : m[h])),
  );
  const t = summaryJson(s);
  rows.push([
    'TOTAL',
    t['total_tasks'],
    t['success_rate'],
    t['successful_tasks'],
    t['failed_tasks'],
    t['timed_out_tasks'],
    t['incomplete_tasks'],
    t['avg_duration_seconds'],
    t['tokens_input'],
    t['tokens_output'],
    t['tokens_cache_read'],
    t['tokens_cache_write'],
    t['cost_estimate_usd'],
    t['cost_reported_usd'],
  ]);
  return toCsv(CSV_HEADER, rows);
}
