import type { DocumentAdapter } from '../types.js';
import {
  parseWfcAggregateDocument,
  WFC_AGGREGATE_ADAPTER,
  WFC_AGGREGATE_MAX_BYTES,
} from './parser.js';
import { isAggregateFileName, isWfcAggregatePath } from './paths.js';

/** AutoTelemetry's counters open the document (`json.dump(aggregate, f, indent=2)`). */
function looksLikeAggregate(head: string): boolean {
  return (
    /"total_tasks"\s*:/.test(head) &&
    /"successful_tasks"\s*:/.test(head) &&
    /"failed_tasks"\s*:/.test(head)
  );
}

/**
 * WFC AutoTelemetry's rolling aggregate (`~/.wfc/telemetry/aggregate.json`), re-read whenever
 * it changes: one `aggregate_snapshot` event (kind `resource`) per distinct content, with the
 * lifetime counters, success rate and a summary of the last-100-task window in `attrs`. See
 * docs/formats/wfc-telemetry.md.
 *
 * @example
 * const { events, rejects } = wfcAggregateAdapter.parseDocument(readFileSync(path, 'utf8'),
 *   { file: path, logicalPath: path, mtimeMs: statSync(path).mtimeMs, previousDigest: null });
 * // events[0].type === 'aggregate_snapshot'
 */
export const wfcAggregateAdapter: DocumentAdapter = {
  name: WFC_AGGREGATE_ADAPTER,
  description:
    'WFC AutoTelemetry rolling aggregate (~/.wfc/telemetry/aggregate.json): task counters, success rate, last-100-task window',
  mode: 'document',
  maxBytes: WFC_AGGREGATE_MAX_BYTES,
  detect(path, head) {
    if (isWfcAggregatePath(path)) return 0.95;
    if (!looksLikeAggregate(head)) return 0;
    return isAggregateFileName(path) ? 0.8 : 0.5;
  },
  parseDocument: parseWfcAggregateDocument,
};
