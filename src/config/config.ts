import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import { VigilError } from '../core/errors.js';
import { SHIPPED_PRICES, type PriceTable } from '../core/prices.js';
import type {
  ConfigFile,
  ParseWorkerMode,
  PluginSettingsFile,
  ServerConfigFile,
  SourceConfig,
} from './config-schema.js';

export type { ConfigFile, SourceConfig } from './config-schema.js';
import { parseDuration } from './duration.js';

/** The resolved configuration: flags over `VIGIL_*` env vars over the TOML file over defaults. */
export interface Config {
  /** The config file read, or null when none was. */
  file: string | null;
  dataDir: string;
  dbPath: string;
  /** Sources with paths made absolute; the well-known default paths when none configured. */
  sources: SourceConfig[];
  sourcesConfigured: boolean;
  prices: PriceTable;
  retentionMs: number;
  maxLineBytes: number;
  batchEvents: number;
  /** Parse large line files in a worker thread while the main thread writes (a second core). */
  parseWorker: ParseWorkerMode;
  server: ServerConfig;
  plugins: PluginsConfig;
  /** `[budget] daily_usd` (or VIGIL_BUDGET_DAILY_USD): the daily cost budget, USD, or null. */
  budgetDailyUsd: number | null;
}

/** Where plugins are looked for, and the `[plugins.<name>]` tables (docs/plugins.md). */
export interface PluginsConfig {
  /** `<workspace root>/.vigil/plugins`: the project's plugins, searched first. */
  projectDir: string;
  /** `$XDG_CONFIG_HOME/vigil/plugins` (`~/.config/vigil/plugins`): where `vigil plugin install` puts them. */
  userDir: string;
  /** `plugin_dirs` of the config file, absolute, searched last. */
  extraDirs: string[];
  settings: Record<string, PluginSettingsFile>;
}

/** How `vigil serve` listens, streams and guards itself (seed 001's settings under `VIGIL_`). */
export interface ServerConfig {
  host: string;
  port: number;
  /** How long computed metric payloads are reused, ms (0: never cached). */
  cacheTtlMs: number;
  /** Cadence of the `/api/metrics/stream` bundle, ms. */
  streamIntervalMs: number;
  /** Allowed browser origins for CORS; empty: CORS off. */
  corsOrigins: string[];
  /** The folder default sources resolve against. */
  workspaceRoot: string;
  apiToken: string | null;
  /** Host header values accepted besides loopback names and the bind address. */
  allowedHosts: string[];
  metricsNamespace: string;
  rescanIntervalMs: number;
  bodyLimitBytes: number;
}

export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 3030,
  cacheTtlMs: 5_000,
  streamIntervalMs: 1_000,
  metricsNamespace: 'vigil',
  rescanIntervalMs: 10_000,
  bodyLimitBytes: 10 << 20,
} as const;

export interface ConfigInputs {
  /** `--config` */
  configPath?: string;
  /** `--data-dir` */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `vigil serve --workspace-root`: where default sources resolve. */
  workspaceRoot?: string;
}

/** Seed paths, relative to the folder Vigil runs in (or `~`), read when no source is configured. */
export const DEFAULT_SOURCES: readonly SourceConfig[] = [
  { path: '.droid/kpis.jsonl', format: 'kpi' },
  { path: 'scripts/.droid_token_usage.jsonl' },
  { path: '.droid_token_usage.jsonl' },
  { path: 'workspaces/*/events.jsonl' },
  { path: '~/.wfc/telemetry/*.jsonl' },
  { path: '~/.wfc/telemetry/aggregate.json' },
  { path: '~/.wfc/memory/workflow_metrics.jsonl' },
  { path: 'BYPASS-AUDIT.json' },
  { path: 'REVIEW-*.json' },
  { path: 'wfc/reviewers/*/KNOWLEDGE.md' },
  { path: 'state/analytics/*.json' },
  { path: 'state/analytics/*.jsonl' },
  { path: 'state/limits/usage_log.json' },
  { path: 'state/telemetry/*.jsonl' },
  { path: 'work/collaboration/{inbox,assigned,done}/*.yaml' },
];

export function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  if (path === '~' || path.startsWith('~/')) return join(env['HOME'] ?? homedir(), path.slice(1));
  return path;
}

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env['XDG_DATA_HOME'] || join(env['HOME'] ?? homedir(), '.local', 'share');
  return join(base, 'vigil');
}

/** `$XDG_CONFIG_HOME/vigil` (`~/.config/vigil`): the user's config folder. */
export function userConfigDir(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] ?? homedir(), '.config'), 'vigil');
}

function findConfigFile(inputs: ConfigInputs, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const explicit = inputs.configPath ?? env['VIGIL_CONFIG'];
  if (explicit) {
    const path = resolve(cwd, expandHome(explicit, env));
    if (!existsSync(path)) {
      throw new VigilError('VIGIL_ERR_FILE_NOT_FOUND', `config file not found: ${path}`);
    }
    return path;
  }
  const local = join(cwd, 'vigil.toml');
  if (existsSync(local)) return local;
  const xdg = join(userConfigDir(env), 'config.toml');
  return existsSync(xdg) ? xdg : null;
}

function envWorker(env: NodeJS.ProcessEnv): ParseWorkerMode | undefined {
  const v = env['VIGIL_INGEST_WORKER'];
  if (v === undefined || v === '') return undefined;
  if (v === 'never' || v === 'auto' || v === 'always') return v;
  throw new VigilError(
    'VIGIL_ERR_CONFIG',
    `VIGIL_INGEST_WORKER=${v}: expected never, auto or always`,
  );
}

function envBudget(env: NodeJS.ProcessEnv): number | undefined {
  const v = env['VIGIL_BUDGET_DAILY_USD'];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `VIGIL_BUDGET_DAILY_USD=${v}: expected a positive amount in USD such as 25`,
    );
  }
  return n;
}

function envInt(env: NodeJS.ProcessEnv, name: string, min = 1): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `${name}=${v}: expected ${min === 0 ? 'a whole number' : 'a positive integer'}`,
    );
  }
  return n;
}

function envList(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  return v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function resolveServer(
  env: NodeJS.ProcessEnv,
  file: ServerConfigFile,
  workspaceRoot: string,
): ServerConfig {
  const port = envInt(env, 'VIGIL_PORT', 0) ?? file.port ?? SERVER_DEFAULTS.port;
  if (port > 65535)
    throw new VigilError('VIGIL_ERR_CONFIG', `VIGIL_PORT=${port}: expected 0-65535`);
  const namespace =
    env['VIGIL_METRICS_NAMESPACE'] || file.metrics_namespace || SERVER_DEFAULTS.metricsNamespace;
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(namespace)) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `VIGIL_METRICS_NAMESPACE=${namespace}: expected a Prometheus name such as vigil or wfc`,
    );
  }
  const fileCors = file.cors_origin;
  return {
    host: env['VIGIL_HOST'] || file.host || SERVER_DEFAULTS.host,
    port,
    cacheTtlMs:
      envInt(env, 'VIGIL_CACHE_TTL_MS', 0) ?? file.cache_ttl_ms ?? SERVER_DEFAULTS.cacheTtlMs,
    streamIntervalMs:
      envInt(env, 'VIGIL_STREAM_INTERVAL_MS', 50) ??
      file.stream_interval_ms ??
      SERVER_DEFAULTS.streamIntervalMs,
    corsOrigins:
      envList(env, 'VIGIL_CORS_ORIGIN') ??
      (fileCors === undefined ? [] : Array.isArray(fileCors) ? fileCors : [fileCors]),
    workspaceRoot,
    apiToken: env['VIGIL_API_TOKEN'] || file.api_token || null,
    allowedHosts: envList(env, 'VIGIL_ALLOWED_HOSTS') ?? file.allowed_hosts ?? [],
    metricsNamespace: namespace,
    rescanIntervalMs:
      envInt(env, 'VIGIL_RESCAN_INTERVAL_MS', 100) ??
      file.rescan_interval_ms ??
      SERVER_DEFAULTS.rescanIntervalMs,
    bodyLimitBytes:
      envInt(env, 'VIGIL_BODY_LIMIT_BYTES', 1024) ??
      file.body_limit_bytes ??
      SERVER_DEFAULTS.bodyLimitBytes,
  };
}

/**
 * Loads the configuration: `--config`/`VIGIL_CONFIG`, else `./vigil.toml`, else
 * `$XDG_CONFIG_HOME/vigil/config.toml`; then `VIGIL_*` env vars and flags on top.
 */
export async function loadConfig(inputs: ConfigInputs = {}): Promise<Config> {
  const env = inputs.env ?? process.env;
  const cwd = inputs.cwd ?? process.cwd();
  const file = findConfigFile(inputs, env, cwd);
  // The schema (zod, the TOML parser) is loaded only when there is a file to read.
  const cfg: ConfigFile = file ? (await import('./config-schema.js')).readConfigFile(file) : {};
  const base = file ? resolve(file, '..') : cwd;
  const abs = (p: string) => {
    const expanded = expandHome(p, env);
    return isAbsolute(expanded) ? expanded : resolve(base, expanded);
  };
  const dataDirRaw = inputs.dataDir ?? (env['VIGIL_DATA_DIR'] || undefined);
  const dataDir = dataDirRaw
    ? resolve(cwd, expandHome(dataDirRaw, env))
    : cfg.data_dir
      ? abs(cfg.data_dir)
      : defaultDataDir(env);
  const workspaceRaw =
    inputs.workspaceRoot ?? (env['VIGIL_WORKSPACE_ROOT'] || cfg.server?.workspace_root);
  const workspaceRoot = workspaceRaw
    ? inputs.workspaceRoot !== undefined || env['VIGIL_WORKSPACE_ROOT']
      ? resolve(cwd, expandHome(workspaceRaw, env))
      : abs(workspaceRaw)
    : cwd;
  const configured = cfg.sources !== undefined && cfg.sources.length > 0;
  const sources = (configured ? (cfg.sources ?? []) : DEFAULT_SOURCES).map((s) => ({
    ...s,
    path: configured ? abs(s.path) : resolve(workspaceRoot, expandHome(s.path, env)),
  }));
  const retention = env['VIGIL_RETENTION'] || cfg.retention?.older_than || '90d';
  const retentionMs = parseDuration(retention);
  if (retentionMs === null) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `VIGIL_RETENTION=${retention}: expected a duration such as 90d`,
    );
  }
  return {
    file,
    dataDir,
    dbPath: join(dataDir, 'vigil.db'),
    sources,
    sourcesConfigured: configured,
    prices: { ...SHIPPED_PRICES, ...cfg.prices },
    retentionMs,
    maxLineBytes: envInt(env, 'VIGIL_MAX_LINE_BYTES') ?? cfg.ingest?.max_line_bytes ?? 1 << 20,
    batchEvents: envInt(env, 'VIGIL_BATCH_EVENTS') ?? cfg.ingest?.batch_events ?? 2_000,
    parseWorker: envWorker(env) ?? cfg.ingest?.parse_worker ?? 'auto',
    server: resolveServer(env, cfg.server ?? {}, workspaceRoot),
    budgetDailyUsd: envBudget(env) ?? cfg.budget?.daily_usd ?? null,
    plugins: {
      projectDir: join(workspaceRoot, '.vigil', 'plugins'),
      userDir: join(userConfigDir(env), 'plugins'),
      extraDirs: (cfg.plugin_dirs ?? []).map(abs),
      settings: cfg.plugins ?? {},
    },
  };
}
