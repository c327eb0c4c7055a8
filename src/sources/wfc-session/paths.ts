import { basename } from 'node:path';

/** Where AutoTelemetry writes task metrics: one file per Python process (session). */
export const WFC_SESSION_DEFAULT_GLOB = '~/.wfc/telemetry/session-*.jsonl';

/** `.wfc/telemetry/[project_id/]session-*.jsonl`, rotated copies (`.1`) included. */
const SESSION_UNDER_WFC =
  /(?:^|[\\/])\.wfc[\\/]telemetry[\\/](?:[^\\/]+[\\/])?session-[^\\/]*\.jsonl(?:\.\d+)?$/;
const SESSION_NAME = /^(session-[^\\/]+)\.jsonl(?:\.\d+)?$/;

/** True for AutoTelemetry session files under `.wfc/telemetry/`. */
export function isWfcSessionPath(path: string): boolean {
  return SESSION_UNDER_WFC.test(path);
}

/** True when the file is named like a session file, wherever it lives. */
export function isSessionFileName(path: string): boolean {
  return SESSION_NAME.test(basename(path));
}

/**
 * The session a file stands for: AutoTelemetry names one file per session, so the file's stem
 * is the session id when a line carries none.
 *
 * @example
 * sessionIdFromPath('/home/u/.wfc/telemetry/session-20260216-143012.jsonl')
 * // 'session-20260216-143012'
 */
export function sessionIdFromPath(path: string): string | null {
  return SESSION_NAME.exec(basename(path))?.[1] ?? null;
}
