import type { DocumentAdapter } from '../types.js';
import { parseWfcBypassAudit, WFC_BYPASS_ADAPTER } from './parser.js';
import { isWfcBypassPath, looksLikeWfcBypass } from './paths.js';

/**
 * WFC's emergency bypass audit trail, `BYPASS-AUDIT.json` (an object with a `bypasses` array,
 * or a bare array): one `bypass_activated` per record, one `bypass_revoked` per revocation.
 * Format: docs/formats/wfc-reviews.md.
 *
 * @example
 * const { events } = wfcBypassAdapter.parseDocument(text, {
 *   file: '/repo/BYPASS-AUDIT.json', logicalPath: '/repo/BYPASS-AUDIT.json',
 *   mtimeMs: Date.now(), previousDigest: null,
 * });
 * const active = events.filter((e) => e.type === 'bypass_activated'
 *   && e.attrs['revoked'] === false && Number(e.attrs['expiresAtMs']) > Date.now());
 */
export const wfcBypassAdapter: DocumentAdapter = {
  name: WFC_BYPASS_ADAPTER,
  description:
    'WFC emergency bypass audit trail (BYPASS-AUDIT.json): who bypassed review, why, until when, CS at bypass',
  mode: 'document',
  maxBytes: 8 * 1024 * 1024,
  detect(path, head) {
    if (isWfcBypassPath(path)) return 0.95;
    return path.endsWith('.json') && looksLikeWfcBypass(head) ? 0.6 : 0;
  },
  parseDocument: parseWfcBypassAudit,
};
