import type { LineAdapter } from '../types.js';
import { parseWfcWorkflowRecord, WFC_WORKFLOW_ADAPTER } from './parser.js';
import { isWfcWorkflowPath, isWorkflowFileName } from './paths.js';

/**
 * A first line written by WFC's memory manager: `task_id`, `complexity`, a boolean `success`
 * and `tokens_input`, without AutoTelemetry's `status` or an event envelope.
 */
function looksLikeWorkflowMetric(head: string): boolean {
  const first = head.split('\n', 1)[0] ?? '';
  return (
    /"task_id"\s*:/.test(first) &&
    /"complexity"\s*:/.test(first) &&
    /"success"\s*:\s*(?:true|false)/.test(first) &&
    /"tokens_input"\s*:/.test(first) &&
    !/"(?:status|event|event_type)"\s*:/.test(first)
  );
}

/**
 * WFC workflow metrics (`~/.wfc/memory/workflow_metrics.jsonl`): one `workflow_metrics` event
 * (kind `resource`) per task, with success, duration, phase durations, quality and coverage.
 * Its token counts stay in `attrs`: session-*.jsonl already counts that usage. See
 * docs/formats/wfc-telemetry.md.
 *
 * @example
 * wfcWorkflowAdapter.detect('/home/u/.wfc/memory/workflow_metrics.jsonl', '') // 0.95
 * const [r] = runLineAdapter(wfcWorkflowAdapter, line); // r.result.events[0].type === 'workflow_metrics'
 */
export const wfcWorkflowAdapter: LineAdapter = {
  name: WFC_WORKFLOW_ADAPTER,
  description:
    'WFC workflow metrics (~/.wfc/memory/workflow_metrics.jsonl): per-task success, duration, tokens (as attributes), quality',
  mode: 'lines',
  detect(path, head) {
    if (isWfcWorkflowPath(path)) return 0.95;
    if (!looksLikeWorkflowMetric(head)) return 0;
    return isWorkflowFileName(path) ? 0.85 : 0.5;
  },
  parseRecord: parseWfcWorkflowRecord,
};
