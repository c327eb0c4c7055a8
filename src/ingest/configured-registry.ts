import type { Config } from '../config/config.js';
import { VigilError } from '../core/errors.js';
import { createGenericJsonlAdapter } from '../sources/generic-jsonl/index.js';
import { parseGenericMapping } from '../sources/generic-jsonl/schema.js';
import { createAdapterRegistry, type AdapterRegistry } from '../sources/registry.js';
import type { SourceAdapter } from '../sources/types.js';

/**
 * The adapter registry with one generic JSONL adapter per `[[sources]]` entry whose format is
 * `generic`, registered as `generic:<path>`. Mapping errors name the entry and key.
 */
export function createConfiguredRegistry(config: Config): AdapterRegistry {
  const configured = new Map<string, SourceAdapter>();
  config.sources.forEach((source, i) => {
    if (source.format !== 'generic') return;
    const parsed = parseGenericMapping(source);
    if (!parsed.ok) {
      throw new VigilError(
        'VIGIL_ERR_CONFIG',
        `${config.file ?? 'config'}: sources[${i}].${parsed.errors[0] ?? 'fields: invalid'}`,
      );
    }
    configured.set(`generic:${source.path}`, createGenericJsonlAdapter(parsed.mapping));
  });
  return createAdapterRegistry(configured);
}
