import type { PriceTable } from '../../core/prices.js';
import { buildSummary, type Summary } from '../../core/summary.js';
import type { AggregateQuery, ModelAggregate } from '../../store/types.js';
import { ALL_TIME, HOUR_MS } from '../queries/time.js';
import { LabelCap, labelValue, type OverflowCounter, type Sample } from './label-cap.js';

/** Task outcomes exposed by `tasks` (`other`: skipped, cancelled, blocked, unknown). */
export const TASK_STATUSES = ['success', 'failure', 'timeout', 'other', 'incomplete'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Hours in the recent window of `tasks_last_24h` and `cost_last_24h_usd`. */
export const WINDOW_HOURS = 24;

/** The current clock hour and the 23 before it (whole hours: answered from the rollup). */
export function recentWindow(now: number): AggregateQuery {
  const next = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
  return { since: next - WINDOW_HOURS * HOUR_MS, until: next };
}

type TaskCounts = Record<TaskStatus, number>;

function taskCounts(s: Summary | null): TaskCounts {
  if (s === null) return { success: 0, failure: 0, timeout: 0, other: 0, incomplete: 0 };
  return {
    success: s.successfulTasks,
    failure: s.failedTasks,
    timeout: s.timedOutTasks,
    other: s.endedTasks - s.successfulTasks - s.failedTasks - s.timedOutTasks,
    incomplete: s.incompleteTasks,
  };
}

/**
 * Figures the store keeps rolled up per model and hour — tasks, tokens, cost — recomputed
 * from `aggregateByModel` (a few milliseconds even over a million events) rather than
 * folded event by event: a task's status and tokens change as its events arrive.
 * Cost is priced exactly as `vigil summary` prices it (`buildSummary`).
 */
export class RollupState {
  tasks: TaskCounts = taskCounts(null);
  tasksRecent: TaskCounts = taskCounts(null);
  tokens: Sample[] = [];
  costUsd: Sample[] = [];
  costReportedUsd: Sample[] = [];
  unpricedTokens: Sample[] = [];
  costRecentUsd: Sample[] = [];
  /** Input + output tokens of every event, for the `other` operation of `tokens_used_total`. */
  totalTokens = 0;
  private readonly models = new LabelCap();

  constructor(
    private readonly name: (suffix: string) => string,
    private readonly overflow: OverflowCounter,
    private readonly prices: PriceTable,
  ) {}

  update(all: readonly ModelAggregate[], recent: readonly ModelAggregate[]): void {
    // The biggest models claim label values first, so the cap folds the long tail.
    const ordered = [...all].sort(
      (a, b) =>
        usage(b) - usage(a) ||
        b.tasks - a.tasks ||
        (a.model < b.model ? -1 : a.model > b.model ? 1 : 0),
    );
    const period = { start: ALL_TIME.since, end: ALL_TIME.until };
    const summary = buildSummary(ordered, this.prices, period);
    const recentSummary = buildSummary(recent, this.prices, period);
    this.tasks = taskCounts(summary);
    this.tasksRecent = taskCounts(recentSummary);
    this.totalTokens = summary.tokensIn + summary.tokensOut;

    const tokens = new Folded(this.name('tokens_total'), this.models, this.overflow);
    const cost = new Folded(this.name('cost_usd_total'), this.models, this.overflow);
    const reported = new Folded(this.name('cost_reported_usd_total'), this.models, this.overflow);
    const unpriced = new Folded(
      this.name('cost_unpriced_tokens_total'),
      this.models,
      this.overflow,
    );
    for (const m of summary.byModel) {
      tokens.add(m.model, { direction: 'input' }, m.tokensIn);
      tokens.add(m.model, { direction: 'output' }, m.tokensOut);
      tokens.add(m.model, { direction: 'cache_read' }, m.tokensCacheRead);
      tokens.add(m.model, { direction: 'cache_write' }, m.tokensCacheWrite);
      if (m.priced && m.costUsd !== null) cost.add(m.model, {}, m.costUsd);
      if (m.costReportedUsd > 0) reported.add(m.model, {}, m.costReportedUsd);
      if (m.costUsd === null) unpriced.add(m.model, {}, usage(m));
    }
    const recentCost = new Folded(this.name('cost_last_24h_usd'), this.models, this.overflow);
    for (const m of recentSummary.byModel) {
      if (m.priced && m.costUsd !== null) recentCost.add(m.model, {}, m.costUsd);
    }
    this.tokens = tokens.samples();
    this.costUsd = cost.samples();
    this.costReportedUsd = reported.samples();
    this.unpricedTokens = unpriced.samples();
    this.costRecentUsd = recentCost.samples();
  }
}

/** Tokens of every direction. */
function usage(
  m: Pick<ModelAggregate, 'tokensIn' | 'tokensOut' | 'tokensCacheRead' | 'tokensCacheWrite'>,
): number {
  return m.tokensIn + m.tokensOut + m.tokensCacheRead + m.tokensCacheWrite;
}

/** Per-model figures of one metric, with models past the cap added up under `other`. */
class Folded {
  private readonly series = new Map<string, Sample>();
  private readonly folded = new Set<string>();

  constructor(
    private readonly metric: string,
    private readonly cap: LabelCap,
    private readonly overflow: OverflowCounter,
  ) {}

  add(model: string, labels: Record<string, string>, value: number): void {
    const raw = labelValue(model);
    const kept = this.cap.fold(raw);
    if (kept !== raw) this.folded.add(raw);
    const all = { model: kept, ...labels };
    const key = JSON.stringify(all);
    const s = this.series.get(key);
    if (s === undefined) this.series.set(key, { labels: all, value });
    else s.value += value;
  }

  samples(): Sample[] {
    this.overflow.atLeast(this.metric, this.folded.size);
    return [...this.series.values()];
  }
}
