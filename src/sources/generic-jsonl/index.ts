import type { LineAdapter } from '../types.js';
import { compileGenericParser } from './parser.js';
import type { GenericMapping } from './schema.js';

export { GENERIC_FIELDS, GenericMapping, parseGenericMapping } from './schema.js';

/**
 * A JSONL adapter for frameworks without one of their own, driven by a field mapping from the
 * config (`format = "generic"`). Never auto-detected. See docs/formats/generic-jsonl.md.
 *
 * @example
 * const adapter = createGenericJsonlAdapter(GenericMapping.parse({
 *   fields: { ts: 'time', type: 'evt', tokens_in: 'usage.prompt_tokens' },
 * }));
 * runLineAdapter(adapter, '{"time":"2026-02-16T14:30:00Z","evt":"llm_done","usage":{"prompt_tokens":12}}\n')
 */
export function createGenericJsonlAdapter(mapping: GenericMapping): LineAdapter {
  return {
    name: 'generic',
    description: 'Generic JSONL with a field mapping from the config (format = "generic")',
    mode: 'lines',
    detect: () => 0,
    parseRecord: compileGenericParser(mapping),
  };
}
