/**
 * Seed 001's metrics provider: task, quality-gate, resolution, resource and usage payloads
 * over a time window, each cached for `cacheTtlMs` per window (the REST routes and the SSE
 * stream share the cache, so a dashboard polling and streaming at once computes each once).
 * The default window's tasks are a live fold, updated from the bus rather than rescanned.
 */
import { z } from 'zod';

import type { PriceTable } from '../../core/prices.js';
import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../../store/types.js';
import { QueryCache } from './cache.js';
import {
  gateDecisions,
  type GateDecisionRow,
  QualityGatesBody,
  qualityGatesBody,
} from './quality-gates.js';
import {
  computeResolution,
  ResolutionBody,
  resolutionBody,
  type ResolutionSnapshot,
} from './resolution.js';
import {
  computeStoredResources,
  createProcessSampler,
  ResourcesBody,
  resourcesBody,
  type StoredResources,
} from './resources.js';
import { computeTaskFold, TaskFold } from './task-fold.js';
import { type DrilldownParams, TaskMetricsBody, taskMetricsBody } from './task-metrics.js';
import { HOUR_MS, type TimeWindow } from './time.js';
import { latestProviderUsage } from './usage.js';

/** A window as the request gave it: parsed bounds, and the raw text that keys the cache. */
export interface WindowParams {
  since?: number;
  until?: number;
  /** The raw `since` and `until` values (relative ones such as `7d` resolve per computation). */
  key: string;
}

/** The window of a request without `since` or `until`. */
const DEFAULT_WINDOW: WindowParams = { key: '|' };

/** The default window: from the start of the hour 24 hours ago until now. */
export function defaultWindow(now: number): TimeWindow {
  return { since: Math.floor(now / HOUR_MS) * HOUR_MS - 24 * HOUR_MS, until: now };
}

/**
 * The task fold of the default window, kept current: one scan when the window starts (and when
 * its start moves, hourly), then every committed task event is applied as it arrives. A live
 * dashboard polling or streaming task metrics therefore never rescans.
 */
class LiveTaskFold {
  private fold: TaskFold | null = null;
  private building: Promise<TaskFold> | null = null;
  /** Task events committed while a scan runs: applied after it, unless it saw them. */
  private pending: VigilEvent[] | null = null;
  /** Scans started. */
  scans = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  onCommit(events: readonly VigilEvent[]): void {
    if (this.pending !== null) {
      for (const e of events) if (e.kind === 'task') this.pending.push(e);
    } else if (this.fold !== null) {
      for (const e of events) this.fold.apply(e);
    }
  }

  get(): Promise<TaskFold> {
    const { since } = defaultWindow(this.clock());
    if (this.fold !== null && this.fold.window.since === since) return Promise.resolve(this.fold);
    this.building ??= this.build(since).finally(() => {
      this.building = null;
    });
    return this.building;
  }

  private async build(since: number): Promise<TaskFold> {
    this.scans += 1;
    this.pending = [];
    try {
      const fold = new TaskFold({ since, until: Number.POSITIVE_INFINITY });
      const seen = new Set<string>();
      for await (const e of this.store.iterateEvents({ kinds: ['task'], since })) {
        seen.add(e.id);
        fold.apply(e);
      }
      for (const e of this.pending) if (!seen.has(e.id)) fold.apply(e);
      this.fold = fold;
      return fold;
    } finally {
      this.pending = null;
    }
  }
}

/** Defaults of the stream's payloads (and of the routes when no parameter is given). */
const STREAM_DRILLDOWN_ROWS = 50;
const STREAM_HISTORY_ROWS = 100;

export const MetricsBundle = z.object({
  generated_at: z.string(),
  tasks: TaskMetricsBody,
  quality_gates: QualityGatesBody,
  resolution: ResolutionBody,
  resources: ResourcesBody,
});
export type MetricsBundle = z.infer<typeof MetricsBundle>;

export class MetricsProvider {
  private readonly tasks: QueryCache<TaskFold>;
  private readonly liveTasks: LiveTaskFold;
  private readonly gates: QueryCache<{ rows: GateDecisionRow[]; window: TimeWindow }>;
  private readonly loops: QueryCache<ResolutionSnapshot>;
  private readonly stored: QueryCache<StoredResources>;
  private readonly usage: QueryCache<Map<string, VigilEvent>>;
  private readonly sample = createProcessSampler();

  constructor(
    private readonly store: Store,
    private readonly prices: PriceTable,
    cacheTtlMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.tasks = new QueryCache(cacheTtlMs, 64, clock);
    this.liveTasks = new LiveTaskFold(store, clock);
    this.gates = new QueryCache(cacheTtlMs, 64, clock);
    this.loops = new QueryCache(cacheTtlMs, 64, clock);
    this.stored = new QueryCache(cacheTtlMs, 64, clock);
    this.usage = new QueryCache(cacheTtlMs, 64, clock);
  }

  /** Committed events, from the live bus: keeps the live task fold current. */
  onCommit(events: readonly VigilEvent[]): void {
    this.liveTasks.onCommit(events);
  }

  /** Computations started so far, all payloads together (what an idle stream must not add to). */
  get computations(): number {
    return (
      this.liveTasks.scans +
      this.tasks.computations +
      this.gates.computations +
      this.loops.computations +
      this.stored.computations +
      this.usage.computations
    );
  }

  private window(w: WindowParams): TimeWindow {
    const d = defaultWindow(this.clock());
    return { since: w.since ?? d.since, until: w.until ?? d.until };
  }

  /** The tasks of a window and the window to report (the live fold's ends now). */
  async taskFold(w: WindowParams): Promise<{ fold: TaskFold; window: TimeWindow }> {
    if (w.since === undefined && w.until === undefined) {
      const fold = await this.liveTasks.get();
      return { fold, window: { since: fold.window.since, until: this.clock() } };
    }
    const fold = await this.tasks.get(w.key, () => computeTaskFold(this.store, this.window(w)));
    return { fold, window: fold.window };
  }

  async taskMetrics(w: WindowParams, p: DrilldownParams): Promise<TaskMetricsBody> {
    const { fold, window } = await this.taskFold(w);
    return taskMetricsBody(fold, window, this.clock(), p);
  }

  /** The window's gate decisions, newest first. */
  gateDecisions(w: WindowParams): Promise<{ rows: GateDecisionRow[]; window: TimeWindow }> {
    return this.gates.get(w.key, async () => {
      const window = this.window(w);
      return { rows: await gateDecisions(this.store, window), window };
    });
  }

  async qualityGates(w: WindowParams, historyLimit: number): Promise<QualityGatesBody> {
    const { rows, window } = await this.gateDecisions(w);
    return qualityGatesBody(rows, window, this.clock(), historyLimit);
  }

  resolutionSnapshot(w: WindowParams): Promise<ResolutionSnapshot> {
    return this.loops.get(w.key, () => computeResolution(this.store, this.window(w), this.clock()));
  }

  async resources(w: WindowParams): Promise<ResourcesBody> {
    const stored = await this.stored.get(w.key, () =>
      computeStoredResources(this.store, this.prices, this.window(w)),
    );
    // Host and process figures are sampled on every call: they are cheap and must be live.
    return resourcesBody(stored, this.sample(), this.clock());
  }

  providerUsage(w: WindowParams): Promise<Map<string, VigilEvent>> {
    return this.usage.get(w.key, () => latestProviderUsage(this.store, this.window(w)));
  }

  /** The four payloads of the SSE stream, with default windows and page sizes. */
  async bundle(): Promise<MetricsBundle> {
    const w = DEFAULT_WINDOW;
    const [tasks, qualityGates, resolution, resources] = await Promise.all([
      this.taskMetrics(w, { limit: STREAM_DRILLDOWN_ROWS }),
      this.qualityGates(w, STREAM_HISTORY_ROWS),
      this.resolutionSnapshot(w),
      this.resources(w),
    ]);
    return {
      generated_at: new Date(this.clock()).toISOString(),
      tasks,
      quality_gates: qualityGates,
      resolution: resolutionBody(resolution, STREAM_HISTORY_ROWS),
      resources,
    };
  }
}
