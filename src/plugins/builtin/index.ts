import type { PluginDefinition } from '../sdk.js';
import { createLogExportPlugin, LOG_EXPORT_MANIFEST } from './log-export/index.js';
import { createWebhookPlugin, WEBHOOK_MANIFEST } from './webhook/index.js';

/** A first-party plugin: its manifest (the parsed `plugin.toml` shape) and its definition. */
export interface BuiltinPlugin {
  manifest: Record<string, unknown>;
  definition: PluginDefinition;
}

/**
 * The first-party plugins, run in-process by the plugin host and disabled until enabled in
 * vigil.toml (`[plugins.log-export] enabled = true`) or with `vigil plugin enable <name>`.
 *
 * @example
 * const names = BUILTIN_PLUGINS.map((p) => (p.manifest['plugin'] as { name: string }).name);
 * // ['log-export', 'webhook']
 */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  { manifest: LOG_EXPORT_MANIFEST, definition: createLogExportPlugin() },
  { manifest: WEBHOOK_MANIFEST, definition: createWebhookPlugin() },
];
