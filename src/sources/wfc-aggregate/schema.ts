import { z } from 'zod';

import {
  amountField,
  complexityField,
  countField,
  flagField,
  idField,
  rangeField,
  textField,
  timestampField,
} from '../shared/zod-fields.js';

/** How many tasks AutoTelemetry keeps in the `tasks` window. */
export const WFC_AGGREGATE_WINDOW = 100;

/**
 * `~/.wfc/telemetry/aggregate.json` as AutoTelemetry's `_update_aggregate()` rewrites it after
 * every task: lifetime counters plus the last 100 tasks. `tasks` entries are validated one by
 * one (a bad entry is reported and left out of the window summary). `window_size`,
 * `updated_at` and `avg_review_score` are optional extensions.
 */
export const WfcAggregate = z.looseObject({
  total_tasks: countField,
  successful_tasks: countField,
  failed_tasks: countField,
  total_tokens: countField.nullish(),
  total_duration_seconds: amountField('seconds').nullish(),
  truncation_count: countField.nullish(),
  avg_retries: amountField('retries').nullish(),
  tasks: z.array(z.unknown(), { error: 'expected an array of task entries' }),
  window_size: countField.nullish(),
  updated_at: timestampField.nullish(),
  avg_review_score: rangeField(10).nullish(),
});
export type WfcAggregate = z.infer<typeof WfcAggregate>;

/** One entry of the `tasks` window. */
export const WfcAggregateTask = z.looseObject(
  {
    task_id: idField,
    complexity: complexityField.nullish(),
    status: textField(32).nullish(),
    timestamp: textField(64).nullish(),
    retry_count: countField.nullish(),
    truncated: flagField.nullish(),
    tokens: countField.nullish(),
  },
  { error: 'expected a task object' },
);
export type WfcAggregateTask = z.infer<typeof WfcAggregateTask>;

/** Keys not copied verbatim into attrs: the window is summarised, `updated_at` is the ts. */
export const WFC_AGGREGATE_SUMMARISED_KEYS: ReadonlySet<string> = new Set(['tasks', 'updated_at']);
