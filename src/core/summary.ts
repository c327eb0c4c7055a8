import { costOf, findPrice, type PriceTable } from './prices.js';
import type { RollupCounters } from './rollup.js';

export interface ModelSummary {
  model: string;
  tasks: number;
  ended: number;
  success: number;
  failure: number;
  timeout: number;
  incomplete: number;
  /** success / ended, 0..1; null when no task ended. */
  successRate: number | null;
  avgDurationSeconds: number | null;
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead: number;
  tokensCacheWrite: number;
  /** From the price table; null when the model is unpriced. */
  costUsd: number | null;
  /** As the sources reported it (0 when none did). */
  costReportedUsd: number;
  priced: boolean;
}

export interface Summary {
  period: { start: number; end: number };
  totalTasks: number;
  endedTasks: number;
  successfulTasks: number;
  failedTasks: number;
  timedOutTasks: number;
  incompleteTasks: number;
  successRate: number | null;
  avgDurationSeconds: number | null;
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead: number;
  tokensCacheWrite: number;
  totalTokens: number;
  /** Estimated cost of the priced models. */
  costUsd: number;
  costReportedUsd: number;
  /** Models with usage but no price: their cost is not in `costUsd`. */
  unpricedModels: string[];
  byModel: ModelSummary[];
}

/**
 * Builds seed 003's KPI summary from per-model aggregates and a price table.
 *
 * @example
 * buildSummary(await store.aggregateByModel({ since, until }), prices, { start: since, end: until })
 */
export function buildSummary(
  models: readonly (RollupCounters & { model: string })[],
  prices: PriceTable,
  period: { start: number; end: number },
): Summary {
  const byModel: ModelSummary[] = models.map((m) => {
    const price = m.model === '' ? null : findPrice(prices, m.model);
    const hasUsage = m.tokensIn + m.tokensOut + m.tokensCacheRead + m.tokensCacheWrite > 0;
    return {
      model: m.model,
      tasks: m.tasks,
      ended: m.ended,
      success: m.success,
      failure: m.failure,
      timeout: m.timeout,
      incomplete: m.incomplete,
      successRate: m.ended > 0 ? m.success / m.ended : null,
      avgDurationSeconds: m.durationCount > 0 ? m.durationSumMs / m.durationCount / 1000 : null,
      tokensIn: m.tokensIn,
      tokensOut: m.tokensOut,
      tokensCacheRead: m.tokensCacheRead,
      tokensCacheWrite: m.tokensCacheWrite,
      costUsd: price ? costOf(price, m) : hasUsage ? null : 0,
      costReportedUsd: m.costReportedUsd,
      priced: price !== null,
    };
  });
  const sum = (f: (m: (typeof models)[number]) => number) => models.reduce((a, m) => a + f(m), 0);
  const ended = sum((m) => m.ended);
  const durationCount = sum((m) => m.durationCount);
  const tokensIn = sum((m) => m.tokensIn);
  const tokensOut = sum((m) => m.tokensOut);
  return {
    period,
    totalTasks: sum((m) => m.tasks),
    endedTasks: ended,
    successfulTasks: sum((m) => m.success),
    failedTasks: sum((m) => m.failure),
    timedOutTasks: sum((m) => m.timeout),
    incompleteTasks: sum((m) => m.incomplete),
    successRate: ended > 0 ? sum((m) => m.success) / ended : null,
    avgDurationSeconds:
      durationCount > 0 ? sum((m) => m.durationSumMs) / durationCount / 1000 : null,
    tokensIn,
    tokensOut,
    tokensCacheRead: sum((m) => m.tokensCacheRead),
    tokensCacheWrite: sum((m) => m.tokensCacheWrite),
    totalTokens: tokensIn + tokensOut,
    costUsd: byModel.reduce((a, m) => a + (m.costUsd ?? 0), 0),
    costReportedUsd: sum((m) => m.costReportedUsd),
    unpricedModels: byModel.filter((m) => m.costUsd === null).map((m) => m.model || '(no model)'),
    byModel,
  };
}
