/**
 * `/api/summary`: the numbers of `vigil summary --format json`, through the command's own code
 * (its range parsing, `aggregateByModel`, `buildSummary` and JSON shaping), so the two can never
 * disagree.
 */
import { z } from 'zod';

import { byModelJson, summaryCsv, summaryJson } from '../../output/summary-forms.js';
import { periodDates } from '../../output/dates.js';
import { PRICES_TAKEN_ON, type PriceTable } from '../../core/prices.js';
import { buildSummary, type Summary } from '../../core/summary.js';
import type { Store } from '../../store/types.js';
import { DAY_MS } from './time.js';

const nullableNumber = z.number().nullable();

export const SummaryBody = z.object({
  period: z.object({
    start: z.string().describe('First day covered, YYYY-MM-DD'),
    end: z.string().describe('Last day covered, YYYY-MM-DD'),
  }),
  summary: z.object({
    total_tasks: z.number().int(),
    success_rate: nullableNumber.describe('Successful / ended tasks, 0..1, 3 decimals'),
    total_tokens: z.number().int(),
    tokens_input: z.number().int(),
    tokens_output: z.number().int(),
    tokens_cache_read: z.number().int(),
    tokens_cache_write: z.number().int(),
    avg_duration_seconds: nullableNumber,
    cost_estimate_usd: nullableNumber.describe('Priced models only, from the price table'),
    cost_reported_usd: nullableNumber,
    ended_tasks: z.number().int(),
    successful_tasks: z.number().int(),
    failed_tasks: z.number().int(),
    timed_out_tasks: z.number().int(),
    incomplete_tasks: z.number().int(),
    unpriced_models: z.array(z.string()),
  }),
  by_model: z.array(
    z.object({
      model: z.string().nullable(),
      tasks: z.number().int(),
      success_rate: nullableNumber,
      successful_tasks: z.number().int(),
      failed_tasks: z.number().int(),
      timed_out_tasks: z.number().int(),
      incomplete_tasks: z.number().int(),
      avg_duration_seconds: nullableNumber,
      tokens_input: z.number().int(),
      tokens_output: z.number().int(),
      tokens_cache_read: z.number().int(),
      tokens_cache_write: z.number().int(),
      cost_estimate_usd: nullableNumber,
      cost_reported_usd: nullableNumber,
      priced: z.boolean(),
    }),
  ),
  prices_taken_on: z.string(),
});
export type SummaryBody = z.infer<typeof SummaryBody>;

export interface SummaryRange {
  since?: number;
  until?: number;
  model?: string;
}

/** The summary of a range, with `vigil summary`'s defaults: the 7 days before `now`. */
export async function computeSummary(
  store: Store,
  prices: PriceTable,
  range: SummaryRange,
  now: number,
): Promise<{ summary: Summary; since: number; until: number }> {
  const since = range.since ?? now - 7 * DAY_MS;
  const until = range.until ?? now;
  const aggregates = await store.aggregateByModel({ since, until, model: range.model });
  return { summary: buildSummary(aggregates, prices, { start: since, end: until }), since, until };
}

/**
 * `vigil summary --format json`'s document. The command's JSON helpers are typed loosely
 * (records); SummaryBody spells out the same fields for the OpenAPI document.
 */
export function summaryDocument(summary: Summary, since: number, until: number): SummaryBody {
  return {
    period: periodDates(since, until),
    summary: summaryJson(summary),
    by_model: byModelJson(summary),
    prices_taken_on: PRICES_TAKEN_ON,
  } as SummaryBody;
}

/** `vigil summary --format csv`'s table: one row per model and a TOTAL row. */
export { summaryCsv };
