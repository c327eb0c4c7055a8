import { readFileSync } from 'node:fs';

import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';

import { VigilError } from '../core/errors.js';
import { parseDuration } from './duration.js';

/** When line files are parsed in a worker thread: `auto` for files with 8 MiB or more to read. */
export const PARSE_WORKER_MODES = ['never', 'auto', 'always'] as const;
export type ParseWorkerMode = (typeof PARSE_WORKER_MODES)[number];

/** USD per million tokens, as written under `[prices."model"]`. */
const ModelPrice = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_read: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
});

export const SourceConfig = z.strictObject({
  /** A file, folder or glob; `~` expands to the home folder; relative to the config file. */
  path: z.string().min(1),
  /** Force an adapter (`vigil formats` lists them); detected when absent. */
  format: z.string().min(1).optional(),
  /** Field mapping for `format = "generic"`. */
  fields: z.record(z.string(), z.string()).optional(),
  kinds: z.record(z.string(), z.string()).optional(),
  statuses: z.record(z.string(), z.string()).optional(),
  type_default: z.string().optional(),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

/** `[server]`: how `vigil serve` listens and streams. */
export const ServerConfigFile = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  cache_ttl_ms: z.number().int().min(0).max(3_600_000).optional(),
  stream_interval_ms: z.number().int().min(50).max(3_600_000).optional(),
  /** Allowed browser origin(s) for CORS; CORS is off when absent. Never `*` unless written. */
  cors_origin: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  /** The folder the default sources resolve against (the agents' repository). */
  workspace_root: z.string().min(1).optional(),
  /** Required on every route when set; `vigil serve` refuses non-loopback hosts without one. */
  api_token: z.string().min(16).optional(),
  /** Extra Host header values accepted besides loopback names and the bind address. */
  allowed_hosts: z.array(z.string().min(1)).optional(),
  metrics_namespace: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'expected a Prometheus name such as vigil or wfc' })
    .optional(),
  /** How often every watched source is rescanned in case a watch event was lost. */
  rescan_interval_ms: z.number().int().min(100).max(3_600_000).optional(),
  /** Largest accepted request body (after decompression), bytes. */
  body_limit_bytes: z
    .number()
    .int()
    .min(1024)
    .max(256 << 20)
    .optional(),
});
export type ServerConfigFile = z.infer<typeof ServerConfigFile>;

/**
 * `[plugins.<name>]`: that plugin's settings (merged over its `[plugin.config]` defaults), plus
 * the keys the hub reads itself.
 */
export const PluginSettingsFile = z.looseObject({
  /** Wins over `vigil plugin enable|disable` when present. */
  enabled: z.boolean().optional(),
  /** Longest a call into the plugin may take (activate, each event, a request, deactivate). */
  timeout_ms: z.number().int().min(50).max(600_000).optional(),
  /** The plugin process's JavaScript heap limit, MiB. */
  memory_mb: z.number().int().min(16).max(65_536).optional(),
  /** Events held in memory for the plugin before it reads them back from the store. */
  queue_size: z.number().int().min(1).max(1_000_000).optional(),
});
export type PluginSettingsFile = z.infer<typeof PluginSettingsFile>;

export const ConfigFile = z.strictObject({
  data_dir: z.string().min(1).optional(),
  /** More plugin folders, searched after the project and user folders; relative to the file. */
  plugin_dirs: z.array(z.string().min(1)).optional(),
  plugins: z.record(z.string(), PluginSettingsFile).optional(),
  sources: z.array(SourceConfig).optional(),
  prices: z.record(z.string(), ModelPrice).optional(),
  retention: z
    .strictObject({
      older_than: z
        .string()
        .refine((v) => parseDuration(v) !== null, {
          error: 'expected a duration such as 90d, 12h or 30m',
        })
        .optional(),
    })
    .optional(),
  ingest: z
    .strictObject({
      max_line_bytes: z
        .number()
        .int()
        .min(1024)
        .max(256 << 20)
        .optional(),
      batch_events: z.number().int().min(1).max(1_000_000).optional(),
      parse_worker: z.enum(PARSE_WORKER_MODES).optional(),
    })
    .optional(),
  server: ServerConfigFile.optional(),
  /** Spending limits shown on the dashboard's cost view. */
  budget: z
    .strictObject({
      daily_usd: z
        .number()
        .positive({ error: 'expected a positive amount in USD such as 25' })
        .optional(),
    })
    .optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

/** Reads and validates a TOML config file; errors name the file and the key. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError(
      'VIGIL_ERR_PERMISSION',
      `cannot read config file ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    throw new VigilError('VIGIL_ERR_CONFIG', `${path}: invalid TOML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key =
      issue?.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '') || '(root)';
    const message =
      issue?.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.join(', ')}`
        : issue?.message;
    throw new VigilError('VIGIL_ERR_CONFIG', `${path}: ${key}: ${message}`);
  }
  return parsed.data;
}
