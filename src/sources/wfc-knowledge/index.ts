import type { DocumentAdapter } from '../types.js';
import { parseWfcKnowledge, WFC_KNOWLEDGE_ADAPTER } from './parser.js';
import { isKnowledgeFileName, isWfcKnowledgePath, looksLikeKnowledge } from './paths.js';

/**
 * WFC reviewer knowledge, `wfc/reviewers/{reviewer_id}/KNOWLEDGE.md`: one `knowledge_entry`
 * per list item under a `## Section` heading. Format: docs/formats/wfc-reviews.md.
 *
 * @example
 * const file = '/repo/wfc/reviewers/security/KNOWLEDGE.md';
 * const { events } = wfcKnowledgeAdapter.parseDocument(
 *   '## Patterns Found\n- [2026-02-10] Validate JWT audience claims\n',
 *   { file, logicalPath: file, mtimeMs: Date.now(), previousDigest: null },
 * );
 * events[0]?.attrs // { reviewer: 'security', section: 'patterns_found', entryDate: '2026-02-10', ... }
 */
export const wfcKnowledgeAdapter: DocumentAdapter = {
  name: WFC_KNOWLEDGE_ADAPTER,
  description:
    'WFC reviewer knowledge (wfc/reviewers/{id}/KNOWLEDGE.md): ## sections of "- [YYYY-MM-DD] text" entries',
  mode: 'document',
  maxBytes: 4 * 1024 * 1024,
  detect(path, head) {
    if (isWfcKnowledgePath(path)) return 0.95;
    if (isKnowledgeFileName(path)) return 0.7;
    return path.endsWith('.md') && looksLikeKnowledge(head) ? 0.4 : 0;
  },
  parseDocument: parseWfcKnowledge,
};
