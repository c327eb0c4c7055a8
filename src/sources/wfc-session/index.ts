import type { LineAdapter } from '../types.js';
import { parseWfcSessionRecord, WFC_SESSION_ADAPTER } from './parser.js';
import { isSessionFileName, isWfcSessionPath } from './paths.js';

/** A first line written by AutoTelemetry: `task_id`, `complexity` and `status` or thinking keys. */
function looksLikeTaskMetrics(head: string): boolean {
  const first = head.split('\n', 1)[0] ?? '';
  return (
    /"task_id"\s*:/.test(first) &&
    /"complexity"\s*:/.test(first) &&
    /"(?:thinking_budget_allocated|status)"\s*:/.test(first) &&
    !/"event_type"\s*:/.test(first)
  );
}

/**
 * WFC AutoTelemetry task metrics (`~/.wfc/telemetry/session-*.jsonl`): one `task_metrics`
 * event (kind `task`) per line, with real token usage; complexity, tests, review score and
 * thinking budget in `attrs`. See docs/formats/wfc-telemetry.md.
 *
 * @example
 * const results = runLineAdapter(wfcSessionAdapter, text, '/home/u/.wfc/telemetry/session-20260216-143012.jsonl');
 * // results[0].result.events[0].type === 'task_metrics'
 */
export const wfcSessionAdapter: LineAdapter = {
  name: WFC_SESSION_ADAPTER,
  description:
    'WFC AutoTelemetry task metrics (~/.wfc/telemetry/session-*.jsonl): task_id, complexity, status, tokens, tests, review score',
  mode: 'lines',
  detect(path, head) {
    if (isWfcSessionPath(path)) return 0.95;
    if (!looksLikeTaskMetrics(head)) return 0;
    return isSessionFileName(path) ? 0.85 : 0.6;
  },
  parseRecord: parseWfcSessionRecord,
};
