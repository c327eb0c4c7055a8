/**
 * The plugin host of `vigil serve`: discovers the plugins, runs the enabled ones (third-party
 * plugins each in their own process, built-ins inside the hub), feeds them committed events
 * from the live bus, and follows `vigil plugin enable|disable|install|remove` while running
 * (it watches `<data_dir>/plugins/enabled.json`). With no plugin enabled it does not subscribe
 * to the bus at all.
 */
import { mkdirSync, statSync, watch, type FSWatcher } from 'node:fs';

import type { Hub } from '../live/hub.js';
import { VERSION } from '../version.js';
import { ChildRuntime } from './child-runtime.js';
import type { LogFn } from './context.js';
import { createContextQueries } from './context-queries.js';
import {
  discoverPlugins,
  pluginSettings,
  type BuiltinPluginSpec,
  type DiscoveredPlugin,
} from './discovery.js';
import type { HubPlugins } from './hub-plugins.js';
import { ENABLED_FILE, pluginStateDir, readEnabledState } from './plugin-files.js';
import type { LogLevel, WireResponse } from './protocol.js';
import { BuiltinRuntime, RequestFailure } from './runtime.js';
import type { PluginRequest } from './sdk.js';
import type { PluginsBody, PluginStatus } from './status.js';
import { DEFAULT_BACKOFF, PluginSupervisor, type BackoffPolicy } from './supervisor.js';

export interface PluginHostOptions {
  backoff?: Partial<BackoffPolicy>;
  /** Where plugin log lines go; default stderr as `vigil: plugin <name>: <level>: <message>`. */
  writeLog?: (line: string) => void;
  /** The built-in plugins (default: src/plugins/builtin). */
  builtins?: readonly BuiltinPluginSpec[];
}

/** Log lines a plugin may write per second; the rest are counted and dropped. */
const LOG_LINES_PER_SECOND = 100;

/** A plugin's log, rate-limited, as lines for `write`. */
function pluginLog(name: string, write: (line: string) => void): LogFn {
  let windowStart = 0;
  let count = 0;
  let dropped = 0;
  return (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    const now = Date.now();
    if (now - windowStart >= 1_000) {
      if (dropped > 0)
        write(
          `vigil: plugin ${name}: warn: ${dropped} log lines dropped (over ${LOG_LINES_PER_SECOND}/s)`,
        );
      windowStart = now;
      count = 0;
      dropped = 0;
    }
    if (++count > LOG_LINES_PER_SECOND) {
      dropped += 1;
      return;
    }
    let extra = '';
    if (fields !== undefined && Object.keys(fields).length > 0) {
      try {
        extra = ` ${JSON.stringify(fields)}`;
      } catch {
        extra = ' (fields not serialisable)';
      }
    }
    write(`vigil: plugin ${name}: ${level}: ${message.slice(0, 4_096)}${extra.slice(0, 4_096)}`);
  };
}

/** The entry module as a file: a reinstalled or edited entry point is new code. */
function stamp(file: string | undefined): string | null {
  if (file === undefined) return null;
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

/** What identifies a plugin's code: a change replaces (restarts) its supervisor. */
const identity = (p: DiscoveredPlugin) =>
  JSON.stringify([p.origin, p.dir, p.error, p.manifest, stamp(p.manifest?.entry?.file)]);

/**
 * @example
 * const host = new PluginHost(hub);
 * attachPlugins(hub, host);
 * await host.start();
 * // ... on shutdown, after the tailer stopped:
 * await host.stop();
 */
export class PluginHost implements HubPlugins {
  private readonly supervisors = new Map<string, { sup: PluginSupervisor; id: string }>();
  private problems: string[] = [];
  private unsubscribe: (() => void) | null = null;
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly backoff: BackoffPolicy;
  private readonly query;

  constructor(
    private readonly hub: Hub,
    private readonly options: PluginHostOptions = {},
  ) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.query = createContextQueries(hub);
  }

  /** Discovers the plugins and starts the enabled ones; resolves once each has started or failed. */
  start(): Promise<void> {
    const dir = pluginStateDir(this.hub.config.dataDir);
    try {
      mkdirSync(dir, { recursive: true });
      this.watcher = watch(dir, (_event, file) => {
        if (file !== ENABLED_FILE || this.stopped) return;
        if (this.debounce !== null) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.reconcile(), 100);
      });
      this.watcher.on('error', () => {});
    } catch {
      // Without the watch, enable/disable apply at the next start.
    }
    return this.reconcile();
  }

  /** Brings the running plugins in line with the folders, the config and enabled.json. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.apply()).catch(() => {});
    return this.reconciling;
  }

  private async apply(): Promise<void> {
    if (this.stopped) return;
    const config = this.hub.config;
    const found = discoverPlugins(config.plugins, this.options.builtins);
    this.problems = found.problems;
    const state = readEnabledState(config.dataDir);
    const work: Promise<void>[] = [];
    const names = new Set(found.plugins.map((p) => p.name));
    for (const [name, { sup }] of this.supervisors) {
      if (!names.has(name)) {
        this.supervisors.delete(name);
        work.push(sup.stop('disabled'));
      }
    }
    for (const plugin of found.plugins) {
      const settings = pluginSettings(plugin, config, state);
      const id = identity(plugin);
      let entry = this.supervisors.get(plugin.name);
      if (entry !== undefined && entry.id !== id) {
        await entry.sup.stop('disabled');
        entry = undefined;
      }
      if (entry === undefined) {
        entry = { sup: this.createSupervisor(plugin, settings), id };
        this.supervisors.set(plugin.name, entry);
      }
      const sup = entry.sup;
      const previous = sup.settings;
      sup.settings = settings;
      if (plugin.error !== null) continue;
      if (!settings.enabled) {
        if (sup.state !== 'disabled') work.push(sup.stop('disabled'));
      } else if (
        sup.state === 'disabled' ||
        (sup.state === 'failed' && settings.enabledAt !== previous.enabledAt)
      ) {
        work.push(sup.enable());
      }
    }
    this.updateSubscription();
    await Promise.all(work);
    this.updateSubscription();
  }

  private createSupervisor(plugin: DiscoveredPlugin, settings: PluginSupervisor['settings']) {
    const write = this.options.writeLog ?? ((line: string) => process.stderr.write(`${line}\n`));
    return new PluginSupervisor(plugin, settings, {
      dataDir: this.hub.config.dataDir,
      vigilVersion: VERSION,
      source: {
        eventsAfter: (seq, limit) => this.hub.store.eventsAfter(seq, limit),
        lastPublished: () => this.hub.bus.lastSeq,
      },
      query: this.query,
      log: pluginLog(plugin.name, write),
      backoff: this.backoff,
      createRuntime: (p, options) =>
        p.definition !== null
          ? new BuiltinRuntime(p.definition, options)
          : new ChildRuntime(options),
    });
  }

  /** Subscribes to the bus while some plugin takes events, and only then. */
  private updateSubscription(): void {
    const deliveries = [...this.supervisors.values()]
      .map(({ sup }) => sup.liveDelivery)
      .filter((d) => d !== null);
    if (deliveries.length > 0 && this.unsubscribe === null && !this.stopped) {
      this.unsubscribe = this.hub.bus.subscribe((batch) => {
        for (const { sup } of this.supervisors.values()) sup.liveDelivery?.offer(batch);
      });
    } else if (deliveries.length === 0 && this.unsubscribe !== null) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  statuses(): PluginStatus[] {
    return [...this.supervisors.values()].map(({ sup }) => sup.status());
  }

  body(): PluginsBody {
    return { plugins: this.statuses(), problems: this.problems };
  }

  mounted(name: string): boolean {
    return this.supervisors.get(name)?.sup.plugin.manifest?.http?.mode === 'mounted';
  }

  request(name: string, request: PluginRequest): Promise<WireResponse> {
    const entry = this.supervisors.get(name);
    if (entry === undefined) return Promise.reject(new RequestFailure(503, `no plugin ${name}`));
    return entry.sup.request(request);
  }

  /** Stops every plugin: the event in hand finishes (or times out), then deactivate. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.reconciling;
    await Promise.all([...this.supervisors.values()].map(({ sup }) => sup.stop('stopped')));
  }
}
