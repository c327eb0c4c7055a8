import { PRICES_TAKEN_ON } from '../../core/prices.js';
import { buildSummary, type Summary } from '../../core/summary.js';
import type { VigilEvent } from '../../core/event.js';
import type { LiveBatch } from '../../live/bus.js';
import type { Hub } from '../../live/hub.js';
import { round } from '../queries/attrs.js';
import { ALL_TIME, DAY_MS } from '../queries/time.js';

function totalsJson(s: Summary): Record<string, unknown> {
  return {
    cost_usd: round(s.costUsd),
    cost_reported_usd: round(s.costReportedUsd),
    tokens_input: s.tokensIn,
    tokens_output: s.tokensOut,
    tokens_cache_read: s.tokensCacheRead,
    tokens_cache_write: s.tokensCacheWrite,
    total_tokens: s.totalTokens,
    tasks: s.totalTasks,
    by_model: s.byModel.map((m) => ({
      model: m.model || null,
      cost_usd: m.costUsd === null ? null : round(m.costUsd),
      cost_reported_usd: round(m.costReportedUsd),
      tokens_input: m.tokensIn,
      tokens_output: m.tokensOut,
      tokens_cache_read: m.tokensCacheRead,
      tokens_cache_write: m.tokensCacheWrite,
      tasks: m.tasks,
      priced: m.priced,
    })),
  };
}

/**
 * The `cost.update` payload: cost and tokens by model for today (the UTC day) and
 * for all time, costed from the price table the way `vigil summary` does.
 *
 * @example
 * const data = await computeCostTotals(hub, Date.now());
 * data.all_time // { cost_usd, tokens_input, ..., by_model: [...] }
 */
export async function computeCostTotals(hub: Hub, now: number): Promise<Record<string, unknown>> {
  // The UTC day, as /api/stats, the webhook's budget rule and the dashboard count days.
  const todaySince = Math.floor(now / DAY_MS) * DAY_MS;
  const todayUntil = todaySince + DAY_MS;
  const lastSeq = hub.bus.lastSeq;
  const [today, allTime] = await Promise.all([
    hub.store.aggregateByModel({ since: todaySince, until: todayUntil }),
    hub.store.aggregateByModel(ALL_TIME),
  ]);
  const prices = hub.config.prices;
  const todaySummary = buildSummary(today, prices, { start: todaySince, end: todayUntil });
  const allSummary = buildSummary(allTime, prices, { start: ALL_TIME.since, end: now });
  return {
    last_seq: lastSeq,
    computed_at: new Date(now).toISOString(),
    today: {
      since: new Date(todaySince).toISOString(),
      until: new Date(todayUntil).toISOString(),
      ...totalsJson(todaySummary),
    },
    all_time: totalsJson(allSummary),
    unpriced_models: allSummary.unpricedModels,
    prices_taken_on: PRICES_TAKEN_ON,
  };
}

/** True for events that can move cost or token totals. */
export function isCostBearing(e: VigilEvent): boolean {
  return (
    e.tokensIn !== null ||
    e.tokensOut !== null ||
    e.tokensCacheRead !== null ||
    e.tokensCacheWrite !== null ||
    e.costUsd !== null ||
    (e.kind === 'task' && e.model !== null)
  );
}

/**
 * Sends `cost.update` after cost-bearing commits, at most once per interval: the first
 * commit after a quiet interval is sent at once, later ones are folded into one update at the
 * end of the interval. Totals are computed and serialized once for every client.
 */
export class CostUpdates {
  private lastRunAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private dirty = false;
  private stopped = false;
  private latest: Buffer | null = null;
  private forConnect: Promise<Buffer> | null = null;
  private computations = 0;
  private latestComputation = 0;

  constructor(
    private readonly hub: Hub,
    private readonly intervalMs: number,
    private readonly broadcast: (message: Buffer) => void,
  ) {}

  /** A committed batch: schedules an update when it carries cost or tokens. */
  noteBatch(batch: LiveBatch): void {
    if (batch.events.some(isCostBearing)) {
      this.dirty = true;
      this.schedule();
    }
  }

  /**
   * The current totals as a message, for a client that just connected: the last update when
   * nothing changed since, else one computation shared by every client connecting meanwhile.
   */
  current(): Promise<Buffer> {
    if (this.latest !== null && !this.dirty && !this.running) return Promise.resolve(this.latest);
    this.forConnect ??= this.compute().finally(() => {
      this.forConnect = null;
    });
    return this.forConnect;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null || this.running) return;
    const wait = Math.max(0, this.lastRunAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => void this.run(), wait);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (this.stopped || !this.dirty) return;
    this.dirty = false;
    this.running = true;
    this.lastRunAt = Date.now();
    try {
      this.broadcast(await this.compute());
    } catch (error) {
      this.hub.monitor.error(`cost.update failed: ${(error as Error).message ?? String(error)}`);
    } finally {
      this.running = false;
      if (this.dirty) this.schedule();
    }
  }

  private async compute(): Promise<Buffer> {
    const started = ++this.computations;
    const data = await computeCostTotals(this.hub, Date.now());
    const message = Buffer.from(JSON.stringify({ event: 'cost.update', data }));
    // Keep the newest snapshot even if computations finish out of order.
    if (started > this.latestComputation) {
      this.latest = message;
      this.latestComputation = started;
    }
    return message;
  }
}
