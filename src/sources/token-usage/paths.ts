import { basename } from 'node:path';

import { logicalPathOf } from '../shared/fields.js';

/** Where seed 003's droid tooling writes its token log. */
export const TOKEN_USAGE_DEFAULT_PATH = 'scripts/.droid_token_usage.jsonl';

/**
 * True for `.droid_token_usage.jsonl` and its rotated copies (`.1`, `-20260216`).
 *
 * @example
 * isTokenUsagePath('/opt/fabrik/scripts/.droid_token_usage.jsonl.1') // true
 */
export function isTokenUsagePath(path: string): boolean {
  return basename(logicalPathOf(path.replaceAll('\\', '/'))) === '.droid_token_usage.jsonl';
}
