/** `GET /api/summary`: seed 003's KPI summary (the same numbers as `vigil summary`). */

/** Totals of the summary and of each model. */
export interface SummaryTotals {
  success_rate: number | null;
  successful_tasks: number;
  failed_tasks: number;
  timed_out_tasks: number;
  incomplete_tasks: number;
  avg_duration_seconds: number | null;
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  cost_estimate_usd: number | null;
  cost_reported_usd: number;
}

export interface SummaryModel extends SummaryTotals {
  model: string | null;
  tasks: number;
  priced: boolean;
}

export interface SummaryResponse {
  period: { start: string; end: string };
  summary: SummaryTotals & {
    total_tasks: number;
    total_tokens: number;
    ended_tasks: number;
    unpriced_models: string[];
  };
  by_model: SummaryModel[];
  prices_taken_on: string;
}
