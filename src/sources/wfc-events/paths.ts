import { basename } from 'node:path';

/** Where WFC's `log_event()` appends generic events. */
export const WFC_EVENTS_DEFAULT_PATH = '~/.wfc/telemetry/events.jsonl';

/** `.wfc/telemetry/[project_id/]events.jsonl`, rotated copies (`.1`) included. */
const EVENTS_UNDER_WFC =
  /(?:^|[\\/])\.wfc[\\/]telemetry[\\/](?:[^\\/]+[\\/])?events\.jsonl(?:\.\d+)?$/;

/** True for WFC generic event files under `.wfc/telemetry/`. */
export function isWfcEventsPath(path: string): boolean {
  return EVENTS_UNDER_WFC.test(path);
}

/**
 * True for any file named `events.jsonl` (rotated copies included): the name is shared with
 * other formats (seed 002 writes `workspaces/{session_id}/events.jsonl`), so content decides.
 */
export function isEventsFileName(path: string): boolean {
  return /^events\.jsonl(?:\.\d+)?$/.test(basename(path));
}
