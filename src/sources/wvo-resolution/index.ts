import type { DocumentAdapter } from '../types.js';
import { parseResolutionDocument } from './parser.js';
import { isWvoResolutionPath } from './paths.js';

/**
 * WVO resolution loops (`state/analytics/resolution_metrics.json`, seed 001), Vigil's `loops`
 * layout or upstream WeatherVane's `activeLoops`/`recentlyClosed`. See docs/formats/wvo.md.
 *
 * @example
 * wvoResolutionAdapter.parseDocument(text, { file, logicalPath: file, mtimeMs, previousDigest: null })
 */
export const wvoResolutionAdapter: DocumentAdapter = {
  name: 'wvo-resolution',
  description: 'WVO state/analytics/resolution_metrics.json: resolution loops and their attempts',
  mode: 'document',
  maxBytes: 16 * 1024 * 1024,
  detect(path, head) {
    if (isWvoResolutionPath(path)) return 0.95;
    if (!path.endsWith('.json')) return 0;
    if (/"loops"\s*:/.test(head) && /"loop_id"\s*:/.test(head)) return 0.7;
    return /"activeLoops"\s*:/.test(head) && /"attemptHistogram"|"recentlyClosed"/.test(head)
      ? 0.7
      : 0;
  },
  parseDocument: parseResolutionDocument,
};
