/**
 * One plugin's life in the hub: start (activate), deliver (the pump), restart with backoff
 * after a failure, stop (deactivate), and the figures `/api/plugins` and `/metrics` show.
 */
import { mkdirSync } from 'node:fs';

import type { LogFn, QueryFn } from './context.js';
import { Delivery, type DeliverySource } from './delivery.js';
import type { DiscoveredPlugin, PluginSettings } from './discovery.js';
import { compileSubscription } from './manifest.js';
import { pluginFolders, readCursor, writeCursor } from './plugin-files.js';
import { firstFreePort } from './ports.js';
import { describeError, type ActivateParams, type WireResponse } from './protocol.js';
import {
  RequestFailure,
  RuntimeFailure,
  type PluginRuntime,
  type RuntimeOptions,
} from './runtime.js';
import type { PluginRequest } from './sdk.js';
import type { PluginState, PluginStatus } from './status.js';

/** Restart policy: `baseMs`, doubling up to `maxMs`; `failed` after `maxFailures` in a row. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxFailures: number;
  /** Running this long without failing clears the count of failures in a row. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = {
  baseMs: 1_000,
  maxMs: 30_000,
  maxFailures: 5,
  resetAfterMs: 60_000,
};

/** Events handed to a plugin in one message (each still gets the whole timeout). */
const BATCH = 64;
/** Least time between two saves of the cursor while events flow. */
const CURSOR_SAVE_MS = 250;

/** Why a call failed: a runtime failure says it all; anything else as thrown. */
const reasonOf = (error: unknown) =>
  error instanceof RuntimeFailure ? error.message : describeError(error);

export interface SupervisorDeps {
  dataDir: string;
  vigilVersion: string;
  source: DeliverySource;
  query: QueryFn;
  log: LogFn;
  backoff: BackoffPolicy;
  createRuntime(plugin: DiscoveredPlugin, options: RuntimeOptions): PluginRuntime;
}

/**
 * One plugin, supervised: `enable` starts it (activate, then the pump hands it events), a
 * failure restarts it after the backoff or marks it failed, `stop` deactivates it.
 *
 * @example
 * const sup = new PluginSupervisor(plugin, settings, deps);
 * await sup.enable();
 * sup.status().state; // 'running'
 * await sup.stop('stopped');
 */
export class PluginSupervisor {
  state: PluginState;
  lastError: { message: string; at: number } | null = null;
  restarts = 0;
  delivered = 0;
  errors = 0;
  private failuresInRow = 0;
  private runningSince: number | null = null;
  private generation = 0;
  private runtime: PluginRuntime | null = null;
  private delivery: Delivery | null = null;
  private pumping: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private port: number | null = null;

  constructor(
    readonly plugin: DiscoveredPlugin,
    public settings: PluginSettings,
    private readonly deps: SupervisorDeps,
  ) {
    this.state = plugin.error !== null ? 'failed' : 'disabled';
    if (plugin.error !== null) {
      this.lastError = { message: plugin.error, at: Date.now() };
      deps.log('error', plugin.error);
    }
  }

  get name(): string {
    return this.plugin.name;
  }

  /** The delivery, when enabled and subscribed to something (the host offers it live batches). */
  get liveDelivery(): Delivery | null {
    return this.delivery;
  }

  /** Records a failure, and says it on the hub's log too (not only in /api/plugins). */
  private setError(message: string): void {
    this.lastError = { message, at: Date.now() };
    this.errors += 1;
    this.deps.log('error', message);
  }

  /** Starts the plugin (it must have loaded). */
  async enable(): Promise<void> {
    const manifest = this.plugin.manifest;
    if (manifest === null || this.state === 'running' || this.state === 'starting') return;
    const subscription = compileSubscription(manifest.subscribes);
    if (this.delivery === null && !subscription.none) {
      const saved = readCursor(this.deps.dataDir, this.name);
      const now = this.deps.source.lastPublished();
      // First run (or a store replaced by a smaller one): start from the events committed next.
      const cursor = saved === null || saved > now ? now : saved;
      this.delivery = new Delivery(
        this.deps.source,
        subscription,
        cursor,
        this.settings.limits.queueSize,
      );
      if (cursor !== saved) this.saveCursor();
    }
    this.failuresInRow = 0;
    await this.start();
  }

  private async start(): Promise<void> {
    const manifest = this.plugin.manifest;
    if (manifest === null) return;
    const gen = ++this.generation;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.state = 'starting';
    this.runningSince = null;
    const folders = pluginFolders(this.deps.dataDir, this.name);
    let started: PluginRuntime | null = null;
    try {
      mkdirSync(folders.data, { recursive: true });
      this.port = null;
      if (manifest.http?.mode === 'port') {
        this.port = await firstFreePort(manifest.http.portRange);
        // Stopped (or restarted) meanwhile: this start is over before it made a process.
        if (gen !== this.generation) return;
        if (this.port === null) {
          throw new Error(`no free port in port_range [${manifest.http.portRange.join(', ')}]`);
        }
      }
      const params: ActivateParams = {
        name: this.name,
        version: manifest.version,
        dir: manifest.dir ?? folders.data,
        file: manifest.entry?.file ?? '',
        exportName: manifest.entry?.exportName ?? 'default',
        vigilVersion: this.deps.vigilVersion,
        config: this.settings.config,
        dataDir: folders.data,
        http: {
          mountPath: manifest.http?.mode === 'mounted' ? manifest.http.mountPath : null,
          port: this.port,
        },
      };
      const runtime = this.deps.createRuntime(this.plugin, {
        params,
        timeoutMs: this.settings.limits.timeoutMs,
        memoryMb: this.settings.limits.memoryMb,
        query: this.deps.query,
        log: this.deps.log,
      });
      this.runtime = runtime;
      started = runtime;
      runtime.onDeath = (reason) => this.failed(gen, reason);
      await runtime.activate();
    } catch (error) {
      return this.failed(gen, `activate failed: ${reasonOf(error)}`);
    }
    if (gen !== this.generation) {
      // Stopped while activating: `stop` closed it if it took it; never leave it running.
      if (started !== null && this.runtime === started) {
        this.runtime = null;
        started.terminate();
      }
      return;
    }
    this.state = 'running';
    this.runningSince = Date.now();
    this.pumping = this.pump(gen);
  }

  /** Hands events over, one batch at a time, while this generation runs. */
  private async pump(gen: number): Promise<void> {
    const delivery = this.delivery;
    const runtime = this.runtime;
    if (delivery === null || runtime === null) return;
    while (gen === this.generation) {
      let events;
      try {
        events = await delivery.next(BATCH);
      } catch (error) {
        // The store could not be read (locked, disk): try again shortly.
        this.setError(`reading events to deliver failed: ${describeError(error)}`);
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (gen !== this.generation) break;
      if (events.length === 0) {
        this.scheduleSave();
        await delivery.waitForWork();
        continue;
      }
      try {
        await runtime.deliver(events, (seq, error) => {
          delivery.concluded(seq);
          this.delivered += 1;
          if (error !== null) this.setError(`onEvent (seq ${seq}) threw: ${error}`);
          // Per event, not per batch: a slow plugin's progress is saved as it goes.
          this.scheduleSave();
        });
      } catch (error) {
        // The event in hand when the plugin died is concluded: it is not delivered again, so
        // one event that kills the plugin cannot kill it forever. Unless something else (a
        // request that timed out) killed it: then the event is delivered after the restart.
        const atFault = !(error instanceof RuntimeFailure) || error.eventAtFault;
        const head = atFault ? events.find((e) => e.seq > delivery.cursor) : undefined;
        if (head !== undefined) {
          delivery.concluded(head.seq);
          this.delivered += 1;
        }
        this.saveCursor();
        const reason = reasonOf(error);
        this.failed(
          gen,
          head === undefined
            ? reason
            : `${reason} (while handling seq ${head.seq}, which is not delivered again)`,
        );
        break;
      }
    }
  }

  /** Generation `gen` failed: record why, end it, and restart after the backoff (or give up). */
  private failed(gen: number, reason: string): void {
    if (gen !== this.generation || this.state === 'stopped' || this.state === 'disabled') return;
    this.generation += 1;
    const runtime = this.runtime;
    this.runtime = null;
    runtime?.terminate();
    const { backoff } = this.deps;
    if (this.runningSince !== null && Date.now() - this.runningSince >= backoff.resetAfterMs) {
      this.failuresInRow = 0;
    }
    this.failuresInRow += 1;
    this.runningSince = null;
    if (this.failuresInRow >= backoff.maxFailures) {
      this.state = 'failed';
      this.setError(
        `${reason}; gave up after ${this.failuresInRow} failures in a row: run \`vigil plugin enable ${this.name}\` or restart the hub to try again`,
      );
      return;
    }
    this.setError(reason);
    this.state = 'restarting';
    const delay = Math.min(backoff.baseMs * 2 ** (this.failuresInRow - 1), backoff.maxMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts += 1;
      void this.start();
    }, delay);
  }

  /** Stops for good (hub shutdown) or until enabled again (`disabled`). */
  async stop(next: 'stopped' | 'disabled'): Promise<void> {
    const wasFailed = this.plugin.error !== null;
    this.generation += 1;
    this.state = wasFailed ? 'failed' : next;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.delivery?.interrupt();
    // The event in hand is finished (or times out) before deactivate.
    await this.pumping;
    const runtime = this.runtime;
    this.runtime = null;
    const error = await runtime?.close();
    if (error) this.setError(`deactivate threw: ${error}`);
    this.saveCursor();
    if (next === 'disabled') this.delivery = null;
  }

  async request(request: PluginRequest): Promise<WireResponse> {
    const runtime = this.runtime;
    if (this.state !== 'running' || runtime === null) {
      throw new RequestFailure(
        503,
        `not running (${this.state})${this.lastError ? `; last error: ${this.lastError.message}` : ''}`,
      );
    }
    const gen = this.generation;
    try {
      return await runtime.request(request);
    } catch (error) {
      if (error instanceof RequestFailure && error.status === 504) this.failed(gen, error.message);
      throw error;
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer !== null || this.delivery?.dirty !== true) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saveCursor();
    }, CURSOR_SAVE_MS);
    this.saveTimer.unref();
  }

  private saveCursor(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const delivery = this.delivery;
    if (delivery === null) return;
    try {
      writeCursor(this.deps.dataDir, this.name, delivery.cursor);
      delivery.dirty = false;
    } catch (error) {
      this.setError(`saving the cursor failed: ${describeError(error)}`);
    }
  }

  status(): PluginStatus {
    const m = this.plugin.manifest;
    return {
      name: this.name,
      version: m?.version ?? null,
      description: m?.description ?? '',
      folder: this.plugin.dir,
      origin: this.plugin.origin,
      builtin: this.plugin.origin === 'builtin',
      enabled: this.settings.enabled,
      state: this.state,
      last_error: this.lastError?.message ?? null,
      last_error_at: this.lastError ? new Date(this.lastError.at).toISOString() : null,
      restarts: this.restarts,
      events_delivered: this.delivered,
      errors: this.errors,
      queue_depth: this.delivery?.queueDepth ?? 0,
      catching_up: this.delivery?.catchingUp ?? false,
      cursor: this.delivery?.cursor ?? readCursor(this.deps.dataDir, this.name),
      subscribes: m?.subscribes ?? [],
      pid: this.state === 'running' ? (this.runtime?.pid ?? null) : null,
      http:
        m?.http == null
          ? null
          : m.http.mode === 'mounted'
            ? { mount_path: m.http.mountPath, port: null }
            : { mount_path: null, port: this.port },
    };
  }
}
