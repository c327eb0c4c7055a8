/** Path segments, with `/` or `\` separators. */
function segmentsOf(path: string): string[] {
  return path.split(/[\\/]/).filter((s) => s !== '');
}

/** WFC keeps each reviewer's learnings in `wfc/reviewers/{reviewer_id}/KNOWLEDGE.md`. */
export function isWfcKnowledgePath(path: string): boolean {
  const parts = segmentsOf(path);
  return parts.at(-1) === 'KNOWLEDGE.md' && parts.at(-3) === 'reviewers';
}

/** Any file called `KNOWLEDGE.md`, wherever it lives. */
export function isKnowledgeFileName(path: string): boolean {
  return segmentsOf(path).at(-1) === 'KNOWLEDGE.md';
}

/** The reviewer id: the name of the folder holding KNOWLEDGE.md (`unknown` when there is none). */
export function reviewerFromPath(path: string): string {
  return (segmentsOf(path).at(-2) ?? 'unknown').slice(0, 128);
}

/** True when the first bytes have a `## ` section and a dated `- [YYYY-MM-DD]` entry. */
export function looksLikeKnowledge(head: string): boolean {
  return /^## \S/m.test(head) && /^[-*+] \[\d{4}-\d{2}-\d{2}\] /m.test(head);
}
