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

/**
 * One line of `workflow_metrics.jsonl`: WFC's `WorkflowMetric.to_dict()` as the memory
 * manager's `log_metric()` appends it, plus optional extensions Vigil understands
 * (`coverage_percent`, `session_id`, `model`). Unknown keys are kept as attributes.
 */
export const WfcWorkflowMetric = z.looseObject({
  timestamp: timestampField,
  task_id: idField,
  complexity: complexityField.nullish(),
  success: flagField.nullish(),
  tokens_input: countField.nullish(),
  tokens_output: countField.nullish(),
  tokens_total: countField.nullish(),
  duration_ms: amountField('milliseconds').nullish(),
  phase_durations: z
    .record(z.string(), amountField('milliseconds'), {
      error: 'expected an object of phase name to milliseconds',
    })
    .nullish(),
  quality_issues_found: countField.nullish(),
  test_failures: countField.nullish(),
  confidence_score: rangeField(100).nullish(),
  retry_count: countField.nullish(),
  rolled_back: flagField.nullish(),
  coverage_percent: rangeField(100).nullish(),
  session_id: idField.nullish(),
  model: textField(256).nullish(),
});
export type WfcWorkflowMetric = z.infer<typeof WfcWorkflowMetric>;

/**
 * Keys that become event columns. The token counts are deliberately not here: they stay in
 * `attrs` because the same usage is already counted from `session-*.jsonl`.
 */
export const WFC_WORKFLOW_COLUMN_KEYS: ReadonlySet<string> = new Set([
  'timestamp',
  'task_id',
  'success',
  'duration_ms',
  'session_id',
  'model',
]);
