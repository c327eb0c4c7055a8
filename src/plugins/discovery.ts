/**
 * Plugin discovery: the built-in plugins, then the plugin folders in order (the project's
 * `.vigil/plugins`, the user's `~/.config/vigil/plugins`, then `plugin_dirs` of the config
 * file). The first plugin of a name wins; later ones are reported as shadowed. A folder whose
 * manifest is bad is listed with its error and never stops the others (RELIABILITY P4).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Config, PluginsConfig } from '../config/config.js';
import { VigilError } from '../core/errors.js';
import { BUILTIN_PLUGINS } from './builtin/index.js';
import { readManifest, validateManifest, type PluginManifest } from './manifest.js';
import { readEnabledState, type EnabledState } from './plugin-files.js';
import type { PluginDefinition } from './sdk.js';

export type PluginOrigin = 'builtin' | 'project' | 'user' | 'config';

/** A first-party plugin: its manifest (the plugin.toml shape) and its definition. */
export interface BuiltinPluginSpec {
  manifest: Record<string, unknown>;
  definition: PluginDefinition;
}

export interface DiscoveredPlugin {
  /** The manifest's name, or the folder's when the manifest could not be read. */
  name: string;
  origin: PluginOrigin;
  /** The plugin folder; null for built-ins. */
  dir: string | null;
  manifest: PluginManifest | null;
  /** Why it cannot load (the manifest error, naming the file and field), else null. */
  error: string | null;
  /** A built-in's definition (it runs inside the hub). */
  definition: PluginDefinition | null;
}

export interface Discovery {
  plugins: DiscoveredPlugin[];
  /** Plugins shadowed by an earlier one of the same name, and unreadable folders. */
  problems: string[];
}

/** The folders searched for plugins, in order. */
export function pluginDirs(config: PluginsConfig): { path: string; origin: PluginOrigin }[] {
  return [
    { path: config.projectDir, origin: 'project' as const },
    { path: config.userDir, origin: 'user' as const },
    ...config.extraDirs.map((path) => ({ path, origin: 'config' as const })),
  ];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The plugins of one folder: each sub-folder (not hidden) is one plugin. */
function scanFolder(path: string, origin: PluginOrigin, problems: string[]): DiscoveredPlugin[] {
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      problems.push(`${path}: cannot read this plugin folder (${code ?? messageOf(error)})`);
    }
    return [];
  }
  const found: DiscoveredPlugin[] = [];
  for (const folder of names) {
    const dir = join(path, folder);
    if (folder.startsWith('.') || !isDir(dir)) continue;
    try {
      const manifest = readManifest(dir);
      found.push({ name: manifest.name, origin, dir, manifest, error: null, definition: null });
    } catch (error) {
      if (!(error instanceof VigilError)) throw error;
      found.push({
        name: folder,
        origin,
        dir,
        manifest: null,
        error: error.message,
        definition: null,
      });
    }
  }
  return found;
}

/** The built-in plugins, their manifests validated like any other. */
function builtins(specs: readonly BuiltinPluginSpec[]): DiscoveredPlugin[] {
  return specs.map((spec) => {
    const plugin = (spec.manifest as { plugin?: { name?: unknown } }).plugin;
    const name = typeof plugin?.name === 'string' ? plugin.name : '(unnamed)';
    const where = `built-in plugin ${name}`;
    try {
      const manifest = validateManifest(spec.manifest, where, null);
      return {
        name,
        origin: 'builtin' as const,
        dir: null,
        manifest,
        error: null,
        definition: spec.definition,
      };
    } catch (error) {
      return {
        name,
        origin: 'builtin' as const,
        dir: null,
        manifest: null,
        error: messageOf(error),
        definition: null,
      };
    }
  });
}

/**
 * Finds every plugin: built-ins first (their names are reserved), then each plugin folder.
 *
 * @example
 * const { plugins, problems } = discoverPlugins(config.plugins);
 * for (const p of plugins) console.log(p.name, p.error ?? 'ok');
 */
export function discoverPlugins(
  config: PluginsConfig,
  builtinSpecs: readonly BuiltinPluginSpec[] = BUILTIN_PLUGINS,
): Discovery {
  const problems: string[] = [];
  const plugins: DiscoveredPlugin[] = [];
  const seen = new Map<string, DiscoveredPlugin>();
  const candidates = [
    ...builtins(builtinSpecs),
    ...pluginDirs(config).flatMap(({ path, origin }) => scanFolder(path, origin, problems)),
  ];
  for (const p of candidates) {
    const first = seen.get(p.name);
    if (first !== undefined) {
      problems.push(
        `${p.dir ?? p.name}: plugin ${p.name} is shadowed by ${first.origin === 'builtin' ? 'the built-in plugin of that name' : `the one in ${first.dir}`}; rename one of them`,
      );
      continue;
    }
    seen.set(p.name, p);
    plugins.push(p);
  }
  return { plugins, problems };
}

/** Host limits of a plugin (`[plugins.<name>]` reserved keys) and their defaults. */
export interface PluginLimits {
  timeoutMs: number;
  memoryMb: number;
  queueSize: number;
}

export const PLUGIN_LIMIT_DEFAULTS: Readonly<PluginLimits> = {
  timeoutMs: 5_000,
  memoryMb: 128,
  queueSize: 1_000,
};

const RESERVED = new Set(['enabled', 'timeout_ms', 'memory_mb', 'queue_size']);

export interface PluginSettings {
  enabled: boolean;
  /** What decided `enabled`: the config file, `vigil plugin enable|disable|install`, or the default (off). */
  enabledBy: 'config' | 'cli' | 'default';
  /** When the CLI last set it (a change re-enables a failed plugin). */
  enabledAt: string | null;
  limits: PluginLimits;
  /** `[plugin.config]` defaults with `[plugins.<name>]` (minus the reserved keys) over them. */
  config: Record<string, unknown>;
}

/**
 * A plugin's settings. Built-ins: the config file's `enabled` wins over the CLI's state. A
 * third-party plugin runs only once `vigil plugin enable` or `install` has enabled its very
 * folder (code found in a folder, such as a cloned repository's `.vigil/plugins`, never runs by
 * itself, not even through a `vigil.toml` that comes with it); the config file can still turn
 * it off. Without either, a plugin is off.
 */
export function pluginSettings(
  plugin: Pick<DiscoveredPlugin, 'name' | 'manifest'> & { dir?: string | null },
  config: Config,
  state: EnabledState = readEnabledState(config.dataDir),
): PluginSettings {
  const table = config.plugins.settings[plugin.name] ?? {};
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(table)) if (!RESERVED.has(k)) own[k] = v;
  const entry = state[plugin.name];
  const thirdParty = plugin.dir !== undefined && plugin.dir !== null;
  // An entry without a folder predates folder binding and still counts.
  const cli =
    thirdParty && entry?.folder !== undefined && entry.folder !== plugin.dir ? undefined : entry;
  const enabled = thirdParty
    ? (cli?.enabled ?? false) && table.enabled !== false
    : (table.enabled ?? cli?.enabled ?? false);
  return {
    enabled,
    enabledBy:
      table.enabled !== undefined && (!thirdParty || table.enabled === false)
        ? 'config'
        : cli !== undefined
          ? 'cli'
          : 'default',
    enabledAt: cli?.changed_at ?? null,
    limits: {
      timeoutMs: table.timeout_ms ?? PLUGIN_LIMIT_DEFAULTS.timeoutMs,
      memoryMb: table.memory_mb ?? PLUGIN_LIMIT_DEFAULTS.memoryMb,
      queueSize: table.queue_size ?? PLUGIN_LIMIT_DEFAULTS.queueSize,
    },
    config: { ...plugin.manifest?.config, ...own },
  };
}
