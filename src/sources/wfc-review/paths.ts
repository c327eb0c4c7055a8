/** The last segment of a path, with `/` or `\` separators. */
export function fileNameOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(cut + 1);
}

/** WFC's review orchestrator writes `REVIEW-{task_id}.json` beside `REVIEW-{task_id}.md`. */
export function isWfcReviewPath(path: string): boolean {
  const name = fileNameOf(path);
  return (
    name.startsWith('REVIEW-') && name.endsWith('.json') && name.length > 'REVIEW-.json'.length
  );
}

/** True when the first bytes look like a structured review export. */
export function looksLikeWfcReview(head: string): boolean {
  return /"schema_version"\s*:/.test(head) && /"consensus"\s*:/.test(head);
}
