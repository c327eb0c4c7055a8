import { stripBom, tryParseJsonObject } from '../shared/json-document.js';
import type { LineAdapter } from '../types.js';
import { parseTokenUsageRecord, TOKEN_USAGE_ADAPTER_NAME } from './parser.js';
import { isTokenUsagePath } from './paths.js';

const has = (record: Record<string, unknown>, ...keys: readonly string[]): boolean =>
  keys.some((key) => Object.hasOwn(record, key));

/** True when the first line is a token-usage record: model, timestamp, input and output tokens. */
function looksLikeTokenUsage(line: string): boolean {
  const record = tryParseJsonObject(line);
  if (record === null) return false;
  return (
    has(record, 'model') &&
    has(record, 'timestamp') &&
    has(record, 'input_tokens', 'prompt_tokens') &&
    has(record, 'output_tokens', 'completion_tokens') &&
    !has(record, 'event_type', 'event', 'event_id')
  );
}

/**
 * Seed 003's token log (`scripts/.droid_token_usage.jsonl`): one model call per line, each
 * becoming a `token_usage` event with its tokens. Vigil defines the line format
 * (docs/formats/token-usage.md); a line missing a required field is rejected naming it.
 *
 * @example
 * import { tokenUsageAdapter } from './sources/token-usage/index.js';
 * tokenUsageAdapter.detect('/opt/fabrik/scripts/.droid_token_usage.jsonl', head); // 0.95
 * const [r] = runLineAdapter(tokenUsageAdapter, text, file);
 * if (r?.result.ok) console.log(r.result.events[0]?.tokensIn); // 3412
 */
export const tokenUsageAdapter: LineAdapter = {
  name: TOKEN_USAGE_ADAPTER_NAME,
  description:
    'Seed 003 token log (scripts/.droid_token_usage.jsonl): timestamp, model, input_tokens, output_tokens per call',
  mode: 'lines',
  detect(path, head) {
    const line = stripBom(head.split('\n', 1)[0] ?? '');
    const content = looksLikeTokenUsage(line);
    if (isTokenUsagePath(path)) return content || line.trim() === '' ? 0.95 : 0.6;
    return content ? 0.7 : 0;
  },
  parseRecord: parseTokenUsageRecord,
};
