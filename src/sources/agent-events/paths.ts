import { logicalPathOf } from '../shared/fields.js';

/** Seed 002: VibeForge's `EventLog` writes one file per session. */
export const AGENT_EVENTS_PATH_PATTERN = 'workspaces/{session_id}/events.jsonl';

const EVENTS_PATH = /\/workspaces\/[^/]+\/events\.jsonl$/;

/**
 * True for `…/workspaces/{session_id}/events.jsonl`, rotated copies included.
 *
 * @example
 * isAgentEventsPath('/srv/vibeforge/workspaces/sess_20260216_a1/events.jsonl') // true
 */
export function isAgentEventsPath(path: string): boolean {
  return EVENTS_PATH.test(logicalPathOf(path.replaceAll('\\', '/')));
}
