import { fileNameOf } from '../wfc-review/paths.js';

/** WFC keeps its emergency bypass audit trail in `BYPASS-AUDIT.json`. */
export function isWfcBypassPath(path: string): boolean {
  return fileNameOf(path).toUpperCase() === 'BYPASS-AUDIT.JSON';
}

/** True when the first bytes look like bypass records. */
export function looksLikeWfcBypass(head: string): boolean {
  return /"cs_at_bypass"\s*:/.test(head) && /"bypassed_by"\s*:/.test(head);
}
