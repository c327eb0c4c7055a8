import { resolve } from 'node:path';

import type { Config } from '../config/config.js';
import { VigilError } from '../core/errors.js';
import { createConfiguredRegistry } from '../ingest/configured-registry.js';
import { startHeapTrim } from '../live/heap-trim.js';
import { Hub, HUB_BUSY_TIMEOUT_MS, HUB_CACHE_KIB, HUB_WAL_CHECKPOINT_BYTES } from '../live/hub.js';
import { Tailer, type TailSource } from '../live/tailer.js';
import { attachPlugins } from '../plugins/hub-plugins.js';
import { PluginHost, type PluginHostOptions } from '../plugins/host.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { buildApp } from './app.js';
import { unsafeBindReason } from './security.js';
import type { VigilApp } from './types.js';

export interface ServeOptions {
  /** `--watch PATH` (files, folders, globs), tailed besides the configured sources. */
  watch?: readonly string[];
  /** `--format NAME` for the `--watch` paths. */
  format?: string;
  /** Tail only the `--watch` paths, not the configured (or default) sources. */
  watchOnly?: boolean;
  cwd?: string;
  logRequests?: boolean;
  /** Plugin host settings (restart backoff, where plugin logs go). */
  plugins?: PluginHostOptions;
}

export interface RunningServer {
  hub: Hub;
  app: VigilApp;
  tailer: Tailer;
  plugins: PluginHost;
  /** Resolves once every enabled plugin has started (or failed to). */
  pluginsStarted: Promise<void>;
  /** `http://host:port` as bound (the real port when 0 was asked). */
  url: string;
  sources: readonly TailSource[];
  /** Resolves once the first catch-up ingest of every source has committed. */
  caughtUp: Promise<void>;
  /** Graceful stop: no new connections, ingest flushed and checkpointed, store closed. */
  close(): Promise<void>;
}

/** The sources `vigil serve` tails: the configured ones (or defaults) and `--watch` paths. */
export function tailSources(config: Config, options: ServeOptions): TailSource[] {
  const cwd = options.cwd ?? process.cwd();
  const sources: TailSource[] = options.watchOnly
    ? []
    : config.sources.map((s) => ({
        path: s.path,
        ...(s.format === undefined
          ? {}
          : { format: s.format === 'generic' ? `generic:${s.path}` : s.format }),
      }));
  for (const w of options.watch ?? []) {
    sources.push({
      path: resolve(cwd, w),
      ...(options.format === undefined ? {} : { format: options.format }),
    });
  }
  return sources;
}

/**
 * Starts the hub: opens the store, listens (loopback by default; refuses other addresses
 * without an API token), then ingests and tails every source.
 *
 * @example
 * const server = await startServer(await loadConfig(), { watch: ['logs/'] });
 * await server.close();
 */
export async function startServer(
  config: Config,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const unsafe = unsafeBindReason(config.server);
  if (unsafe !== null) throw new VigilError('VIGIL_ERR_USAGE', unsafe);
  const registry = createConfiguredRegistry(config);
  if (options.format !== undefined) registry.byName(options.format);
  // A short lock wait: the event loop must not stall behind another process's write.
  const store = createSqliteStore(config.dbPath, {
    busyTimeoutMs: HUB_BUSY_TIMEOUT_MS,
    walCheckpointBytes: HUB_WAL_CHECKPOINT_BYTES,
    cacheKiB: HUB_CACHE_KIB,
  });
  let app: VigilApp | null = null;
  try {
    const hub = await Hub.open(config, store, registry);
    const plugins = new PluginHost(hub, options.plugins);
    attachPlugins(hub, plugins);
    app = await buildApp(hub, { logRequests: options.logRequests ?? false });
    try {
      await app.listen({ host: config.server.host, port: config.server.port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new VigilError(
          'VIGIL_ERR_USAGE',
          `cannot listen on ${config.server.host}:${config.server.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : 'no such address here'}; pick another with --port or --host`,
          { cause: error },
        );
      }
      throw error;
    }
    const address = app.server.address();
    const port =
      typeof address === 'object' && address !== null ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const sources = tailSources(config, options);
    const tailer = new Tailer({
      store,
      registry,
      sources,
      monitor: hub.monitor,
      onCommit: hub.onCommit,
      maxLineBytes: config.maxLineBytes,
      batchEvents: config.batchEvents,
      rescanIntervalMs: config.server.rescanIntervalMs,
    });
    // Plugins first: each catches up from its cursor, then takes what the tailer commits.
    const pluginsStarted = plugins.start();
    const caughtUp = tailer.start();
    caughtUp.catch((error: unknown) =>
      hub.monitor.error(`tailing failed to start: ${(error as Error).message}`),
    );
    const running = app;
    const stopHeapTrim = startHeapTrim();
    let closing: Promise<void> | null = null;
    return {
      hub,
      app: running,
      tailer,
      plugins,
      pluginsStarted,
      url: `http://${host}:${port}`,
      sources,
      caughtUp,
      close() {
        closing ??= (async () => {
          stopHeapTrim();
          await tailer.stop();
          // After the tailer: every event committed is offered before plugins deactivate.
          await plugins.stop();
          await running.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
}
