import type { DocumentAdapter } from '../types.js';
import { parseWfcReview, WFC_REVIEW_ADAPTER } from './parser.js';
import { isWfcReviewPath, looksLikeWfcReview } from './paths.js';

/**
 * WFC structured review exports, `REVIEW-{task_id}.json` (schema_version "1.0"): one
 * `review_complete` per document and one `review_finding` per deduplicated finding.
 * Format: docs/formats/wfc-reviews.md.
 *
 * @example
 * const { events, rejects } = wfcReviewAdapter.parseDocument(text, {
 *   file: '/repo/REVIEW-TASK-001.json', logicalPath: '/repo/REVIEW-TASK-001.json',
 *   mtimeMs: Date.now(), previousDigest: null,
 * });
 * events.filter((e) => e.type === 'review_finding').length // one per finding
 */
export const wfcReviewAdapter: DocumentAdapter = {
  name: WFC_REVIEW_ADAPTER,
  description:
    'WFC structured review exports (REVIEW-{task_id}.json, schema_version 1.0): consensus score, tier, findings',
  mode: 'document',
  maxBytes: 16 * 1024 * 1024,
  detect(path, head) {
    if (isWfcReviewPath(path)) return looksLikeWfcReview(head) || head === '' ? 0.95 : 0.7;
    return path.endsWith('.json') && looksLikeWfcReview(head) ? 0.6 : 0;
  },
  parseDocument: parseWfcReview,
};
