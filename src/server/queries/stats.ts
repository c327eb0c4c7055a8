/**
 * Seed 004's `/api/stats`: the board's task counts and the cost figures of its dashboard
 * (today, the last 7 and 30 days, all time, and per model), through the summary's own
 * aggregation so costs match `vigil summary` for the same ranges.
 */
import { z } from 'zod';

import type { PriceTable } from '../../core/prices.js';
import type { Summary } from '../../core/summary.js';
import type { Store } from '../../store/types.js';
import { round } from './attrs.js';
import type { BoardBody } from './board.js';
import { computeSummary } from './summary.js';
import { DAY_MS, isoOf } from './time.js';

const CostWindow = z.object({
  since: z.string(),
  until: z.string(),
  tasks: z.number().int(),
  tokens_input: z.number().int(),
  tokens_output: z.number().int(),
  cost_estimate_usd: z.number().describe('From the price table, priced models only'),
  cost_reported_usd: z.number().describe('As the sources reported it'),
  unpriced_models: z.array(z.string()),
});
type CostWindow = z.infer<typeof CostWindow>;

export const StatsBody = z.object({
  generated_at: z.string(),
  tasks: z.object({
    inbox: z.number().int(),
    assigned: z.number().int(),
    done: z.number().int(),
    total: z.number().int(),
    done_success: z.number().int(),
    done_failure: z.number().int().describe('Done with a failure (or timeout) status'),
  }),
  costs: z.object({
    today: CostWindow.describe('Since 00:00 UTC'),
    last_7_days: CostWindow,
    last_30_days: CostWindow,
    all_time: CostWindow,
  }),
  models: z
    .array(
      z.object({
        model: z.string().nullable(),
        tasks: z.number().int(),
        tokens_input: z.number().int(),
        tokens_output: z.number().int(),
        cost_estimate_usd: z.number().nullable().describe('null when the model is unpriced'),
        cost_reported_usd: z.number(),
      }),
    )
    .describe('The last 30 days, per model'),
});
export type StatsBody = z.infer<typeof StatsBody>;

function costWindow(s: Summary, since: number, until: number): CostWindow {
  return {
    since: isoOf(since),
    until: isoOf(until),
    tasks: s.totalTasks,
    tokens_input: s.tokensIn,
    tokens_output: s.tokensOut,
    cost_estimate_usd: round(s.costUsd, 6),
    cost_reported_usd: round(s.costReportedUsd, 6),
    unpriced_models: s.unpricedModels,
  };
}

export async function computeStats(
  store: Store,
  prices: PriceTable,
  board: BoardBody,
  now: number,
): Promise<StatsBody> {
  const until = now;
  const summaryOf = async (since: number) =>
    (await computeSummary(store, prices, { since, until }, now)).summary;
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const range = await store.timeRange();
  // All time: from the first event to just past the last (events may be stamped in the future).
  const allSince = Math.min(range?.first ?? today, today);
  const allUntil = Math.max(until, (range?.last ?? 0) + 1);
  const [d1, d7, d30, all] = await Promise.all([
    summaryOf(today),
    summaryOf(now - 7 * DAY_MS),
    summaryOf(now - 30 * DAY_MS),
    computeSummary(store, prices, { since: allSince, until: allUntil }, now).then((r) => r.summary),
  ]);
  return {
    generated_at: isoOf(now),
    tasks: {
      ...board.counts,
      done_success: board.done.filter((t) => t.status === 'success').length,
      done_failure: board.done.filter((t) => t.status === 'failure' || t.status === 'timeout')
        .length,
    },
    costs: {
      today: costWindow(d1, today, until),
      last_7_days: costWindow(d7, now - 7 * DAY_MS, until),
      last_30_days: costWindow(d30, now - 30 * DAY_MS, until),
      all_time: costWindow(all, allSince, allUntil),
    },
    models: d30.byModel.map((m) => ({
      model: m.model === '' ? null : m.model,
      tasks: m.tasks,
      tokens_input: m.tokensIn,
      tokens_output: m.tokensOut,
      cost_estimate_usd: m.costUsd === null ? null : round(m.costUsd, 6),
      cost_reported_usd: round(m.costReportedUsd, 6),
    })),
  };
}
