import { isJsonObject } from '../shared/fields.js';
import { tryParseJsonObject } from '../shared/json-document.js';
import { parseTimestamp } from '../shared/timestamp.js';
import type { LineAdapter } from '../types.js';
import { parseWfcEventRecord, WFC_EVENTS_ADAPTER } from './parser.js';
import { isEventsFileName, isWfcEventsPath } from './paths.js';

type FirstLine =
  | { readonly kind: 'object'; readonly value: Record<string, unknown> }
  | { readonly kind: 'partial'; readonly text: string };

/** The first line of `head`, parsed when it is a complete JSON object, else its raw text. */
function readFirstLine(head: string): FirstLine {
  const text = head.split('\n', 1)[0] ?? '';
  const value = tryParseJsonObject(text);
  // A first line longer than the 4 KiB head is cut off: judge it by its opening keys.
  return value === null ? { kind: 'partial', text } : { kind: 'object', value };
}

/** Seed 002's EventLog and seed 003's KPIs name the type `event_type`: never ours. */
function hasEventTypeKey(first: FirstLine): boolean {
  return first.kind === 'object'
    ? Object.hasOwn(first.value, 'event_type')
    : /"event_type"\s*:/.test(first.text);
}

/**
 * How much a first line looks like WFC's: `event` and `timestamp` keys, the payload nested
 * under `data` or spread at the top level.
 */
function scoreContent(first: FirstLine, eventsName: boolean): number {
  if (first.kind === 'partial') {
    return /^\s*\{\s*"event"\s*:\s*"/.test(first.text) && eventsName ? 0.6 : 0;
  }
  const line = first.value;
  if (typeof line['event'] !== 'string' || parseTimestamp(line['timestamp']) === null) return 0;
  if (isJsonObject(line['data'])) return 0.85;
  return eventsName ? 0.7 : 0.4;
}

/**
 * WFC generic events (`~/.wfc/telemetry/events.jsonl`, written by `log_event(name, data)`):
 * review_complete, knowledge_updated, drift_detected, task_complete, pr_created, hook_warning,
 * workflow_violation, merge_complete, and any other name as kind `log`. Tells WFC's
 * `events.jsonl` (`event` key) from seed 002's (`event_type` key). See
 * docs/formats/wfc-telemetry.md.
 *
 * @example
 * wfcEventsAdapter.detect('/home/u/.wfc/telemetry/events.jsonl', '') // 0.95
 * wfcEventsAdapter.detect('/w/workspaces/s1/events.jsonl',
 *   '{"event_type":"task_started","session_id":"s1","message":"","metadata":{}}\n') // 0
 */
export const wfcEventsAdapter: LineAdapter = {
  name: WFC_EVENTS_ADAPTER,
  description:
    'WFC generic events (~/.wfc/telemetry/events.jsonl): {"event": name, "timestamp": ..., payload flat or under "data"}',
  mode: 'lines',
  detect(path, head) {
    const first = readFirstLine(head);
    if (hasEventTypeKey(first)) return 0;
    if (isWfcEventsPath(path)) return 0.95;
    return scoreContent(first, isEventsFileName(path));
  },
  parseRecord: parseWfcEventRecord,
};
