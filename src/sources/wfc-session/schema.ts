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

/** `status` values AutoTelemetry writes (`failure` accepted as a synonym of `failed`). */
export const WFC_TASK_STATUSES = ['success', 'failed', 'failure', 'in_progress'] as const;
export type WfcTaskStatus = (typeof WFC_TASK_STATUSES)[number];

/**
 * One line of `~/.wfc/telemetry/session-*.jsonl`: WFC AutoTelemetry's `TaskMetrics` dataclass
 * as `json.dumps(asdict(metrics))` writes it (a line at task start with `status: in_progress`,
 * another at completion), plus optional extensions Vigil understands (`session_id`, `model`,
 * `tokens_cache_read`, `tokens_cache_write`). Python's `None` arrives as `null`, so optional
 * fields accept null. Unknown keys are kept as attributes.
 */
export const WfcTaskMetrics = z.looseObject({
  timestamp: timestampField,
  task_id: idField,
  status: z
    .enum(WFC_TASK_STATUSES, { error: `expected one of ${WFC_TASK_STATUSES.join(', ')}` })
    .nullish(),
  complexity: complexityField.nullish(),
  session_id: idField.nullish(),
  model: textField(256).nullish(),
  duration_seconds: amountField('seconds').nullish(),
  tokens_input: countField.nullish(),
  tokens_output: countField.nullish(),
  tokens_total: countField.nullish(),
  tokens_cache_read: countField.nullish(),
  tokens_cache_write: countField.nullish(),
  thinking_budget_allocated: countField.nullish(),
  thinking_budget_used: countField.nullish(),
  thinking_truncated: flagField.nullish(),
  thinking_mode: textField(64).nullish(),
  retry_count: countField.nullish(),
  max_retries: countField.nullish(),
  debugging_time_min: amountField('minutes').nullish(),
  root_cause_documented: flagField.nullish(),
  bugs_fixed: countField.nullish(),
  tests_run: countField.nullish(),
  tests_passed: countField.nullish(),
  tests_failed: countField.nullish(),
  coverage_percent: rangeField(100).nullish(),
  review_score: rangeField(10).nullish(),
  review_passed: flagField.nullish(),
  properties: z.array(textField(256), { error: 'expected an array of strings' }).nullish(),
  properties_satisfied: z
    .record(z.string(), flagField, { error: 'expected an object of true/false values' })
    .nullish(),
});
export type WfcTaskMetrics = z.infer<typeof WfcTaskMetrics>;

/** Keys that become event columns; every other key (complexity, tests, ...) goes to attrs. */
export const WFC_SESSION_COLUMN_KEYS: ReadonlySet<string> = new Set([
  'timestamp',
  'task_id',
  'status',
  'session_id',
  'model',
  'duration_seconds',
  'tokens_input',
  'tokens_output',
  'tokens_cache_read',
  'tokens_cache_write',
]);
