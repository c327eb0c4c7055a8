import { setImmediate as nextTurn } from 'node:timers/promises';

import type { EventKind, VigilEvent } from '../../core/event.js';
import type { Hub } from '../../live/hub.js';
import type { EventQuery } from '../../store/types.js';
import { ALL_TIME } from '../queries/time.js';
import { CATALOGUE_EVENT_TYPES, EventState, USAGE_EVENT_TYPES } from './event-state.js';
import { OverflowCounter } from './label-cap.js';
import { recentWindow, RollupState } from './rollup-state.js';

/** Page size of the start-up reads: small enough that no page blocks the hub for long. */
const INIT_PAGE = 2_000;
/** Least time between two background recomputations of the rolled-up figures. */
const REFRESH_MIN_GAP_MS = 250;

export interface CollectorOptions {
  /** The clock (Date.now by default): bypass expiry, the recent window, the refresh TTL. */
  now?: () => number;
}

/**
 * Part of the state read from the store once at start: events of `types` (one query per
 * kind, so the store walks its (kind, ts) index in order). Events committed meanwhile wait in
 * a queue; a stored event that is also queued is taken from the queue only, so nothing is
 * counted twice.
 */
class Loader {
  private queue: VigilEvent[] | null = [];
  private readonly queuedIds = new Set<string>();
  private done: Promise<void> | null = null;

  constructor(
    private readonly types: Readonly<Record<string, EventKind>>,
    private readonly apply: (e: VigilEvent) => void,
  ) {}

  get loaded(): boolean {
    return this.queue === null;
  }

  /** A committed batch: folded in now, or queued while loading. */
  offer(events: readonly VigilEvent[]): void {
    for (const e of events) {
      if (!Object.hasOwn(this.types, e.type)) continue;
      if (this.queue === null) this.apply(e);
      else {
        this.queue.push(e);
        this.queuedIds.add(e.id);
      }
    }
  }

  /** Loads once; after a failure the next call tries again. */
  load(hub: Hub, isClosed: () => boolean): Promise<void> {
    this.done ??= this.read(hub, isClosed).catch((error: unknown) => {
      this.done = null;
      throw error;
    });
    return this.done;
  }

  private async read(hub: Hub, isClosed: () => boolean): Promise<void> {
    if (this.queue === null) return;
    const byKind = new Map<EventKind, string[]>();
    for (const [type, kind] of Object.entries(this.types)) {
      byKind.set(kind, [...(byKind.get(kind) ?? []), type]);
    }
    for (const [kind, types] of byKind) {
      const query: EventQuery = { kinds: [kind], types, limit: INIT_PAGE };
      let cursor: string | undefined;
      do {
        const page = await hub.store.queryEvents({ ...query, cursor });
        // A batch committed just before this read is published on the next turn at the
        // latest: wait for it, so an event both read here and queued is known to be queued.
        await nextTurn();
        if (isClosed()) return;
        for (const e of page.events) {
          if (!this.queuedIds.has(e.id)) this.apply(e);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    const queued = this.queue;
    this.queue = null;
    this.queuedIds.clear();
    for (const e of queued) this.apply(e);
  }
}

/**
 * The state behind `/metrics`, kept up to date so a scrape never reads events.
 *
 * - At start it subscribes to the live bus, then reads the catalogue's event types (rare,
 *   indexed kinds) from the store: scrapes wait for that. The usage events broken down by
 *   operation (token-usage lines, WVO operations, WFC task metrics) are read next, in the
 *   background; `tokens_used_total` is exposed once they are in.
 * - After that, every committed batch is folded in as it is published.
 * - Figures the store rolls up (tasks, tokens, cost) are recomputed with `aggregateByModel`
 *   in the background after commits (at most every 250 ms) and once `cacheTtlMs` has passed;
 *   a scrape waits only when commits arrived since the last recomputation.
 *
 * @example
 * const collector = new MetricsCollector(hub);
 * collector.start();
 * await collector.beforeScrape(); // initialised and fresh
 */
export class MetricsCollector {
  readonly overflow = new OverflowCounter();
  readonly events: EventState;
  readonly rollup: RollupState;
  /** Input + output tokens of events outside the usage types (null until known). */
  otherUsageTokens: number | null = null;
  readonly now: () => number;
  private readonly catalogue: Loader;
  private readonly usage: Loader;
  private unsubscribe: (() => void) | null = null;
  private ready: Promise<void> | null = null;
  private complete: Promise<void> | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private dirty = true;
  private refreshedAt = -Infinity;
  private lastStoreSeq = -1;
  private closed = false;

  constructor(
    private readonly hub: Hub,
    options: CollectorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const ns = hub.config.server.metricsNamespace;
    const name = (suffix: string) => `${ns}_${suffix}`;
    this.events = new EventState(name, this.overflow);
    this.rollup = new RollupState(name, this.overflow, hub.config.prices);
    this.catalogue = new Loader(CATALOGUE_EVENT_TYPES, (e) => this.events.apply(e));
    this.usage = new Loader(USAGE_EVENT_TYPES, (e) => this.events.apply(e));
  }

  /** True once the usage breakdown (`tokens_used_total`) has been read from the store. */
  get usageLoaded(): boolean {
    return this.usage.loaded;
  }

  /** Subscribes to the bus and starts the start-up reads. */
  start(): void {
    if (this.unsubscribe !== null) return;
    this.unsubscribe = this.hub.bus.subscribe(({ events }) => {
      this.catalogue.offer(events);
      this.usage.offer(events);
      this.dirty = true;
      this.scheduleRefresh(REFRESH_MIN_GAP_MS);
    });
    this.whenComplete().catch(() => {});
  }

  /** Resolves once the catalogue and the rolled-up figures hold everything stored. */
  whenReady(): Promise<void> {
    this.ready ??= this.settle(
      'start-up read failed',
      async () => {
        await this.catalogue.load(this.hub, () => this.closed);
        await this.refresh();
      },
      () => (this.ready = null),
    );
    return this.ready;
  }

  /** Resolves once everything is loaded: {@link whenReady}, then the usage breakdown. */
  whenComplete(): Promise<void> {
    this.complete ??= this.settle(
      'start-up read of usage events failed',
      async () => {
        await this.whenReady();
        await this.usage.load(this.hub, () => this.closed);
        // The rest of the usage (`other`) is known from the next recomputation on.
        this.dirty = true;
        await this.refresh();
      },
      () => (this.complete = null),
    );
    return this.complete;
  }

  /** Runs a start-up step once; after a failure (reported) the next call runs it again. */
  private settle(what: string, step: () => Promise<void>, reset: () => void): Promise<void> {
    return step().catch((error: unknown) => {
      reset();
      this.report(what, error);
      throw error;
    });
  }

  /**
   * Ready, and the rolled-up figures reflect every commit published so far. A figure older
   * than `cacheTtlMs` (the recent-window gauges move with the clock) is recomputed in the
   * background, so this scrape does not wait for it.
   */
  async beforeScrape(): Promise<void> {
    await this.whenReady();
    if (this.dirty || this.refreshing !== null) {
      // A failed recomputation is reported on the ingest monitor; the scrape serves what it has.
      await this.refresh().catch(() => {});
    } else if (this.now() - this.refreshedAt >= this.hub.config.server.cacheTtlMs) {
      this.scheduleRefresh(0);
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private report(what: string, error: unknown): void {
    if (!this.closed) this.hub.monitor.error(`metrics: ${what}: ${(error as Error).message}`);
  }

  private scheduleRefresh(gapMs: number): void {
    if (this.refreshTimer !== null || this.closed || this.refreshedAt === -Infinity) return;
    const wait = Math.max(0, this.refreshedAt + gapMs - this.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.dirty = true;
      this.refresh().catch(() => {});
    }, wait);
    this.refreshTimer.unref();
  }

  /** Recomputes the rolled-up figures when stale; concurrent callers share one run. */
  private async refresh(): Promise<void> {
    while (this.refreshing !== null) await this.refreshing;
    if (!this.dirty && this.now() - this.refreshedAt < this.hub.config.server.cacheTtlMs) return;
    const run = this.recompute();
    this.refreshing = run;
    try {
      await run;
    } finally {
      this.refreshing = null;
    }
  }

  private async recompute(): Promise<void> {
    this.dirty = false;
    const now = this.now();
    const { store, bus } = this.hub;
    // Sampled together with the reads below, so both describe the same events.
    const busSeq = bus.lastSeq;
    const usageTokens = this.usage.loaded ? this.events.usageTokens : null;
    try {
      const [all, recent, storeSeq] = await Promise.all([
        store.aggregateByModel(ALL_TIME),
        store.aggregateByModel(recentWindow(now)),
        store.lastSeq(),
      ]);
      this.rollup.update(all, recent);
      // Usage outside the broken-down types is the rest of the total; exact only when every
      // stored event has been folded in: nothing waits to be published, or the store did not
      // move since last time (what is ahead was written by another process).
      if (storeSeq === busSeq || storeSeq === this.lastStoreSeq) {
        if (usageTokens !== null) {
          this.otherUsageTokens = Math.max(0, this.rollup.totalTokens - usageTokens);
        }
      } else {
        this.dirty = true;
      }
      this.lastStoreSeq = storeSeq;
      this.refreshedAt = now;
    } catch (error) {
      this.dirty = true;
      this.report('refresh failed', error);
      throw error;
    }
  }
}
