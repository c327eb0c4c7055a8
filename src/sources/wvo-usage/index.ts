import type { DocumentAdapter } from '../types.js';
import { parseUsageDocument } from './parser.js';
import { isWvoUsagePath } from './paths.js';

/**
 * WVO provider usage snapshot (`state/limits/usage_log.json`, seed 001): one
 * `provider_usage` event per provider and snapshot. See docs/formats/wvo.md.
 *
 * @example
 * wvoUsageAdapter.parseDocument(text, { file, logicalPath: file, mtimeMs, previousDigest: null })
 */
export const wvoUsageAdapter: DocumentAdapter = {
  name: 'wvo-usage',
  description: 'WVO state/limits/usage_log.json: per-provider request/token usage, limits and cost',
  mode: 'document',
  maxBytes: 4 * 1024 * 1024,
  detect(path, head) {
    if (isWvoUsagePath(path)) return 0.95;
    if (!path.endsWith('.json')) return 0;
    return /"providers"\s*:/.test(head) && /"current_(hour|day)"\s*:/.test(head) ? 0.7 : 0;
  },
  parseDocument: parseUsageDocument,
};
