import type { LineAdapter } from '../types.js';
import { parseKpiRecord } from './parser.js';
import { isKpiPath } from './paths.js';

/** Seed 003 KPI events (`.droid/kpis.jsonl`), schema enforced. */
export const kpiAdapter: LineAdapter = {
  name: 'kpi',
  description: 'Seed 003 KPI events (.droid/kpis.jsonl): event_id, event_type, timestamp, task_id',
  mode: 'lines',
  detect(path, head) {
    if (isKpiPath(path)) return 0.9;
    const first = head.split('\n', 1)[0] ?? '';
    return /"event_id"\s*:/.test(first) &&
      /"event_type"\s*:\s*"(task_start|task_end|review_start|review_end|error)"/.test(first)
      ? 0.8
      : 0;
  },
  parseRecord: parseKpiRecord,
};
