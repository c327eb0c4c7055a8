import { statSync } from 'node:fs';
import { join } from 'node:path';

import type { AdapterRegistry } from '../sources/registry.js';
import { logicalPathOf } from '../sources/shared/fields.js';
import type { IngestBatchResult, Store } from '../store/types.js';
import type { IngestMonitor } from './ingest-monitor.js';
import { TailedFile, type TailContext } from './tail-file.js';
import {
  createSourceSpec,
  discoverSource,
  type SourceSpec,
  type TailSource,
} from './tail-sources.js';
import { SourceWatcher } from './tail-watch.js';

export type { TailSource } from './tail-sources.js';

export interface TailerOptions {
  store: Store;
  registry: AdapterRegistry;
  sources: readonly TailSource[];
  /** Where rejects, errors and per-file offsets, sizes and lag are reported. */
  monitor: IngestMonitor;
  /** Called after every commit with what was stored (the hub publishes it on the live bus). */
  onCommit: (result: IngestBatchResult) => void;
  maxLineBytes: number;
  batchEvents: number;
  /** Every source is rescanned this often: catches watch events the kernel dropped. */
  rescanIntervalMs: number;
  /**
   * false: no inotify watcher, rescans only (for file systems that send no notifications, such
   * as network mounts). Default true.
   */
  watch?: boolean;
}

/** Descriptors held open for rotation at most; the least recently active are let go first. */
const MAX_HELD_FDS = 1024;
/** Every this many picks, a queued rescan or catch-up file goes before live changes. */
const BACKGROUND_EVERY = 4;

/**
 * Tails files, folders and globs into the store: a catch-up ingest of everything the sources
 * match, then inotify watching with a periodic rescan. Changes are ingested as they are
 * notified; each file is ingested by one task at a time, and changes that arrive meanwhile
 * make it run once more. Rotation (rename-and-create, copytruncate), truncation and deletion
 * are handled per file (see TailedFile); checkpoints are committed with the events, so a
 * restart resumes exactly where the last commit left off.
 *
 * @example
 * const tailer = new Tailer({ store, registry, sources: [{ path: '/repo/.droid' }],
 *   monitor: hub.monitor, onCommit: hub.onCommit, maxLineBytes: 1 << 20, batchEvents: 5000,
 *   rescanIntervalMs: 10_000 });
 * await tailer.start();
 * // ...
 * await tailer.stop();
 */
export class Tailer {
  private readonly specs: readonly SourceSpec[];
  private readonly watchers: SourceWatcher[] = [];
  private readonly files = new Map<string, TailedFile>();
  /** Files holding a descriptor, least recently active first. */
  private readonly holders = new Map<string, TailedFile>();
  private readonly urgent = new Set<string>();
  private readonly background = new Set<string>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly ctx: TailContext;
  private running: Promise<void> | null = null;
  private current: string | null = null;
  private rescanning: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private picks = 0;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private catchUp: { pending: Set<string>; done: () => void } | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: TailerOptions) {
    this.specs = options.sources.map(createSourceSpec);
    this.ctx = {
      store: yieldingAfterCommits(options.store),
      registry: options.registry,
      monitor: options.monitor,
      maxLineBytes: options.maxLineBytes,
      batchEvents: options.batchEvents,
      signal: this.abort.signal,
      onCommit: options.onCommit,
    };
  }

  /** Files being tailed (matched by a source and recognised by an adapter). */
  get fileCount(): number {
    let n = 0;
    for (const f of this.files.values()) if (f.mode !== null) n += 1;
    return n;
  }

  /**
   * Watches every source, then ingests everything they match (and the unread end of files
   * rotated away while the hub was down). Resolves once that catch-up has committed; changes
   * seen meanwhile are ingested as they come.
   */
  async start(): Promise<void> {
    if (this.options.watch !== false) {
      for (const spec of this.specs) {
        const watcher = new SourceWatcher(spec, {
          onPath: (path) => this.onPath(path),
          onRaw: (watched, name) =>
            // A tracked file's own watch, or a folder's watch naming an entry.
            this.onPath(this.files.has(watched) || name === null ? watched : join(watched, name)),
          onRootAppeared: () => void this.rescan(),
          onError: (message) => this.options.monitor.error(message),
        });
        this.watchers.push(watcher);
      }
      await Promise.all(this.watchers.map((w) => w.start()));
    }
    const found = await this.discover();
    // Checkpointed line files whose path is gone: rotated away while the hub was down (rotated
    // names themselves are covered by the recovery of their original).
    for (const cp of await this.options.store.listCheckpoints()) {
      if (cp.contentDigest !== null || found.has(cp.path) || logicalPathOf(cp.path) !== cp.path)
        continue;
      const spec = this.specFor(cp.path);
      if (spec !== undefined && statSync(cp.path, { throwIfNoEntry: false }) === undefined)
        found.set(cp.path, spec);
    }
    if (this.stopped) return;
    const caughtUp = new Promise<void>((done) => {
      this.catchUp = { pending: new Set(found.keys()), done };
    });
    for (const [path, spec] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.track(path, spec);
      this.enqueue(path, false);
    }
    this.finishCatchUp();
    await caughtUp;
    if (this.stopped) return;
    this.timer = setInterval(() => void this.rescan(), Math.max(1, this.options.rescanIntervalMs));
    this.timer.unref();
  }

  /**
   * Stops watching and rescanning; the ingest in flight commits its current batch (with its
   * checkpoint) and returns; every descriptor is closed.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Resolves when nothing is queued, being ingested or being rescanned. */
  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((done) => this.idleWaiters.push(done));
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    this.abort.abort();
    this.urgent.clear();
    this.background.clear();
    await Promise.all(this.watchers.map((w) => w.close()));
    await this.running;
    await this.rescanning;
    for (const f of this.files.values()) f.closeFd();
    this.holders.clear();
    this.catchUp?.done();
    this.catchUp = null;
    this.settle();
  }

  private idle(): boolean {
    return (
      this.running === null &&
      this.rescanning === null &&
      this.urgent.size === 0 &&
      this.background.size === 0
    );
  }

  private settle(): void {
    if (!this.idle() && !this.stopped) return;
    for (const done of this.idleWaiters.splice(0)) done();
  }

  private specFor(path: string): SourceSpec | undefined {
    return this.specs.find((s) => s.matches(path));
  }

  private track(path: string, spec: SourceSpec): TailedFile {
    let f = this.files.get(path);
    if (f === undefined) {
      f = new TailedFile(path, spec.source.format, !spec.isExplicit(path));
      this.files.set(path, f);
    }
    return f;
  }

  /** A watcher saw something at `path`: a tracked file, or maybe a new one. */
  private onPath(path: string): void {
    if (this.stopped) return;
    if (this.files.has(path)) {
      const state = this.options.monitor.sources.get(path);
      if (state !== undefined) state.lastChangeAt = Date.now();
      this.enqueue(path, true);
    } else if (this.specFor(path) !== undefined) {
      this.enqueue(path, true);
    }
  }

  private enqueue(path: string, urgent: boolean): void {
    if (this.stopped) return;
    if (urgent) {
      this.background.delete(path);
      this.urgent.add(path);
    } else if (!this.urgent.has(path)) this.background.add(path);
    this.running ??= this.drain();
  }

  private next(): string | undefined {
    this.picks += 1;
    const fromBackground = this.urgent.size === 0 || this.picks % BACKGROUND_EVERY === 0;
    const queue = fromBackground && this.background.size > 0 ? this.background : this.urgent;
    const first = queue.values().next();
    if (first.done === true) return undefined;
    queue.delete(first.value);
    return first.value;
  }

  private async drain(): Promise<void> {
    try {
      for (let path = this.next(); path !== undefined && !this.stopped; path = this.next()) {
        await this.run(path);
        // Let watch events, timers and requests in between files.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.running = null;
      this.settle();
    }
  }

  private async run(path: string): Promise<void> {
    let f = this.files.get(path);
    if (f === undefined) {
      const spec = this.specFor(path);
      if (spec === undefined) return;
      f = this.track(path, spec);
    }
    this.current = path;
    try {
      await f.process(this.ctx);
    } catch (error) {
      f.seen = null;
      f.fail(this.ctx, `${path}: ${(error as Error).message ?? String(error)}`);
      this.retry(path, f);
    } finally {
      this.current = null;
    }
    if (f.gone) {
      f.closeFd();
      this.files.delete(path);
      this.holders.delete(path);
      this.options.monitor.forget(path);
    } else if (f.fd !== null) {
      this.holders.delete(path);
      this.holders.set(path, f);
      this.releaseFds();
    } else this.holders.delete(path);
    if (this.catchUp?.pending.delete(path) === true) this.finishCatchUp();
  }

  private finishCatchUp(): void {
    if (this.catchUp !== null && this.catchUp.pending.size === 0) {
      this.catchUp.done();
      this.catchUp = null;
    }
  }

  /** Closes the least recently active descriptors past the limit (reopened when needed). */
  private releaseFds(): void {
    for (const [path, f] of this.holders) {
      if (this.holders.size <= MAX_HELD_FDS) return;
      if (path === this.current) continue;
      f.closeFd();
      this.holders.delete(path);
    }
  }

  /** Tries a failed file again later, backing off up to the rescan interval. */
  private retry(path: string, f: TailedFile): void {
    if (this.stopped || this.retries.has(path)) return;
    const cap = Math.max(1_000, this.options.rescanIntervalMs);
    const delay = Math.min(cap, 250 * 2 ** Math.min(f.failures - 1, 16));
    const t = setTimeout(() => {
      this.retries.delete(path);
      this.enqueue(path, false);
    }, delay);
    t.unref();
    this.retries.set(path, t);
  }

  /** Every file each source matches now, by the first source that matches it. */
  private async discover(): Promise<Map<string, SourceSpec>> {
    const found = new Map<string, SourceSpec>();
    for (const spec of this.specs) {
      for (const path of await discoverSource(spec)) if (!found.has(path)) found.set(path, spec);
    }
    return found;
  }

  /**
   * Looks at every source again: new files, files that changed without a notification, files
   * gone. Re-watches folders that appeared or were replaced.
   */
  private rescan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.rescanning ??= (async () => {
      await Promise.all(this.watchers.map((w) => w.ensureRoot()));
      const found = await this.discover();
      if (this.stopped) return;
      for (const [path, spec] of found) {
        const f = this.files.get(path);
        if (f === undefined) {
          this.track(path, spec);
          this.enqueue(path, false);
        } else if (f.changedOnDisk()) {
          const state = this.options.monitor.sources.get(path);
          if (state !== undefined) state.lastChangeAt = Date.now();
          this.enqueue(path, false);
        }
      }
      for (const [path, f] of this.files) {
        if (!found.has(path) && f.changedOnDisk()) this.enqueue(path, false);
      }
    })()
      .catch((error: unknown) =>
        this.options.monitor.error(`rescan failed: ${(error as Error).message ?? String(error)}`),
      )
      .finally(() => {
        this.rescanning = null;
        this.settle();
      });
    return this.rescanning;
  }
}

/**
 * The store, with the event loop let through after every commit: a long backlog is ingested
 * batch by batch without holding up requests, watch events or stop().
 */
function yieldingAfterCommits(store: Store): Store {
  const ingest: Store['ingest'] = async (batch) => {
    const result = await store.ingest(batch);
    await new Promise<void>((r) => setImmediate(r));
    return result;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'ingest') return ingest;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
