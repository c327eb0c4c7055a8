import type { LineAdapter } from '../types.js';
import { parseWvoAnalyticsRecord } from './parser.js';
import { isWvoAnalyticsPath } from './paths.js';

/**
 * WVO analytics JSONL (`state/analytics/*.jsonl`, seed 001): task state records and
 * quality-gate decisions in one stream, told apart by `record`. See docs/formats/wvo.md.
 *
 * @example
 * runLineAdapter(wvoAnalyticsAdapter, text, '/repo/state/analytics/task_events.jsonl')
 */
export const wvoAnalyticsAdapter: LineAdapter = {
  name: 'wvo-analytics',
  description:
    'WVO state/analytics/*.jsonl: task records and quality-gate decisions (record: task | quality_gate)',
  mode: 'lines',
  detect(path, head) {
    if (isWvoAnalyticsPath(path)) return 0.9;
    const first = head.split('\n', 1)[0] ?? '';
    return /"record"\s*:\s*"(task|quality_gate)"/.test(first) && /"(task_id|gate)"\s*:/.test(first)
      ? 0.7
      : 0;
  },
  parseRecord: parseWvoAnalyticsRecord,
};
