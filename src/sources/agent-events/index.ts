import { stripBom, tryParseJsonObject as firstObject } from '../shared/json-document.js';
import type { LineAdapter } from '../types.js';
import { AGENT_EVENTS_ADAPTER_NAME, parseAgentEventRecord } from './parser.js';
import { isAgentEventsPath } from './paths.js';

/** 1 when the line is an `Event.to_dict()`, 0 when it is not, 0.5 when it cannot tell. */
function contentScore(line: string): number {
  if (line.trim() === '') return 0.5;
  const record = firstObject(line);
  if (record !== null) {
    return typeof record['event_type'] === 'string' && 'session_id' in record && 'message' in record
      ? 1
      : 0;
  }
  // A first line longer than the head is not parseable; fall back to its keys.
  return /"event_type"\s*:\s*"/.test(line) &&
    /"session_id"\s*:/.test(line) &&
    /"message"\s*:/.test(line)
    ? 1
    : 0;
}

/** WFC telemetry (`{"event": ..., "data": ...}`) shares folder names with VibeForge: never ours. */
function isWfcLine(line: string): boolean {
  const record = firstObject(line);
  if (record !== null) return 'event' in record && 'data' in record && !('event_type' in record);
  return (
    /^\s*\{\s*"event"\s*:/.test(line) && /"data"\s*:/.test(line) && !/"event_type"\s*:/.test(line)
  );
}

/**
 * Seed 002 VibeForge `EventLog` lines (`workspaces/{session_id}/events.jsonl`, one
 * `Event.to_dict()` per line). Event types outside the catalogue are kept as kind `log`; token
 * usage is counted on `llm_response_received` only.
 *
 * @example
 * import { agentEventsAdapter } from './sources/agent-events/index.js';
 * agentEventsAdapter.detect('/srv/vf/workspaces/sess_20260216_a1/events.jsonl', head); // 0.95
 * const [r] = runLineAdapter(agentEventsAdapter, text, file);
 * if (r?.result.ok) console.log(r.result.events[0]?.kind); // 'session'
 */
export const agentEventsAdapter: LineAdapter = {
  name: AGENT_EVENTS_ADAPTER_NAME,
  description:
    'Seed 002 VibeForge EventLog (workspaces/{session_id}/events.jsonl): event_type, timestamp, session_id, message, metadata',
  mode: 'lines',
  detect(path, head) {
    const line = stripBom(head.split('\n', 1)[0] ?? '');
    if (isWfcLine(line)) return 0;
    const content = contentScore(line);
    if (isAgentEventsPath(path)) return content === 1 ? 0.95 : content === 0.5 ? 0.9 : 0.3;
    return content === 1 ? 0.8 : 0;
  },
  parseRecord: parseAgentEventRecord,
};
