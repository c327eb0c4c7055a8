import type { z } from 'zod';

import type { PluginLogger } from '../../sdk.js';

/** Keys of `[plugins.<name>]` the plugin host reads itself; never an unknown key here. */
const HOST_KEYS: ReadonlySet<string> = new Set([
  'enabled',
  'timeout_ms',
  'memory_mb',
  'queue_size',
]);

function keyPath(name: string, path: readonly PropertyKey[]): string {
  let out = `plugins.${name}`;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/**
 * Validates a built-in plugin's `ctx.config` with its zod schema. Throws an Error naming the
 * key (`plugins.log-export.syslog_port: expected a port 1-65535`) for the host to report;
 * unknown keys (usually typos) are logged as a warning and ignored.
 *
 * @example
 * const config = parsePluginConfig('log-export', LogExportConfig, ctx.config, ctx.log);
 */
export function parsePluginConfig<S extends z.ZodObject>(
  name: string,
  schema: S,
  raw: Readonly<Record<string, unknown>>,
  log?: PluginLogger,
): z.infer<S> {
  const known = new Set(Object.keys(schema.shape));
  const unknown = Object.keys(raw).filter((k) => !known.has(k) && !HOST_KEYS.has(k));
  if (unknown.length > 0 && log) {
    log.warn(
      `${unknown.map((k) => `plugins.${name}.${k}`).join(', ')}: unknown key, ignored ` +
        `(known keys: ${[...known].join(', ')})`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map((i) => `${keyPath(name, i.path)}: ${i.message}`);
  throw new Error(messages.join('; '));
}
