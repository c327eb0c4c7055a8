import type { LineAdapter } from '../types.js';
import { parseWvoTelemetryRecord } from './parser.js';
import { isWvoTelemetryPath } from './paths.js';

/**
 * WVO telemetry JSONL (`state/telemetry/*.jsonl`, seed 001): operation records and resource
 * samples, told apart by `record`. See docs/formats/wvo.md.
 *
 * @example
 * runLineAdapter(wvoTelemetryAdapter, text, '/repo/state/telemetry/operations.jsonl')
 */
export const wvoTelemetryAdapter: LineAdapter = {
  name: 'wvo-telemetry',
  description:
    'WVO state/telemetry/*.jsonl: operations and resource samples (record: operation | resource)',
  mode: 'lines',
  detect(path, head) {
    if (isWvoTelemetryPath(path)) return 0.9;
    const first = head.split('\n', 1)[0] ?? '';
    if (/"record"\s*:\s*"operation"/.test(first) && /"operation"\s*:\s*"/.test(first)) return 0.7;
    return /"record"\s*:\s*"resource"/.test(first) && /"(cpu_pct|memory_mb|rss_mb)"\s*:/.test(first)
      ? 0.7
      : 0;
  },
  parseRecord: parseWvoTelemetryRecord,
};
