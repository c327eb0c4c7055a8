/**
 * The task join of a time window, per task id: current state, retries, roadmap and epic, and
 * the core task state (src/core/tasks.ts). Built by one scan and kept current by applying newly
 * committed events; the task metrics document reads its totals.
 */
import type { EventStatus, VigilEvent } from '../../core/event.js';
import { applyTaskEvent, emptyTask, type TaskState } from '../../core/tasks.js';
import { EVENT_STATUSES, isTerminalStatus } from '../../core/vocabulary.js';
import type { Store } from '../../store/types.js';
import { attrNumber, attrString } from './attrs.js';
import type { TimeWindow } from './time.js';

/** A task's current state: `queued` (seen, not started) or the status of its latest event. */
export const TASK_STATES = ['queued', ...EVENT_STATUSES] as const;
export type TaskStateName = (typeof TASK_STATES)[number];

const IN_PROGRESS: ReadonlySet<TaskStateName> = new Set(['started', 'retrying', 'warned']);

export interface TaskAcc {
  task: TaskState;
  state: TaskStateName;
  title: string | null;
  roadmapId: string | null;
  epicId: string | null;
  agent: string | null;
  retryingEvents: number;
  maxAttempt: number;
  maxRetryCount: number;
  events: number;
  /** Time of the latest event: it decides the state, and orders the drill-down. */
  lastTs: number;
  lastType: string;
  adapter: string;
}

function stateAfter(
  current: TaskStateName | null,
  status: EventStatus | null,
  attrState: string | null,
): TaskStateName {
  if (status !== null) return status;
  // An event without a status (a queued or scheduled record) only says "queued" on its own.
  return current === null || attrState === 'queued' ? 'queued' : current;
}

const byActivity = (a: TaskAcc, b: TaskAcc) =>
  b.lastTs - a.lastTs ||
  (a.task.taskId < b.task.taskId ? -1 : a.task.taskId > b.task.taskId ? 1 : 0);

/**
 * The tasks of a time window, one accumulator per task id, folded from task events in any
 * order (a late event never overrides a newer state). Built by one scan, then kept current by
 * applying newly committed events, so a live dashboard does not rescan.
 */
export class TaskFold {
  private readonly accs = new Map<string, TaskAcc>();
  private ordered: TaskAcc[] | null = null;
  private totalsMemo: FoldTotals | null = null;

  /** `until` may be Infinity: a live fold takes every new event. */
  constructor(readonly window: TimeWindow) {}

  get size(): number {
    return this.accs.size;
  }

  apply(e: VigilEvent): void {
    if (e.kind !== 'task' || e.taskId === null) return;
    if (e.ts < this.window.since || e.ts >= this.window.until) return;
    let acc = this.accs.get(e.taskId);
    if (acc === undefined) {
      acc = {
        task: emptyTask(e.taskId, e.ts),
        state: 'queued',
        title: null,
        roadmapId: null,
        epicId: null,
        agent: null,
        retryingEvents: 0,
        maxAttempt: 0,
        maxRetryCount: 0,
        events: 0,
        lastTs: e.ts,
        lastType: e.type,
        adapter: e.source.adapter,
      };
      this.accs.set(e.taskId, acc);
    }
    this.ordered = null;
    this.totalsMemo = null;
    applyTaskEvent(acc.task, e);
    const latest = acc.events === 0 || e.ts >= acc.lastTs;
    const title = attrString(e.attrs, 'title') ?? attrString(e.attrs, 'description');
    const roadmap = attrString(e.attrs, 'roadmap_id');
    const epic = attrString(e.attrs, 'epic_id');
    if (latest) {
      acc.state = stateAfter(
        acc.events === 0 ? null : acc.state,
        e.status,
        attrString(e.attrs, 'state'),
      );
      acc.lastTs = e.ts;
      acc.lastType = e.type;
      acc.adapter = e.source.adapter;
      acc.title = title ?? acc.title;
      acc.roadmapId = roadmap ?? acc.roadmapId;
      acc.epicId = epic ?? acc.epicId;
      acc.agent = e.agentRole ?? acc.agent;
    } else {
      acc.title ??= title;
      acc.roadmapId ??= roadmap;
      acc.epicId ??= epic;
      acc.agent ??= e.agentRole;
    }
    acc.events += 1;
    if (e.status === 'retrying') acc.retryingEvents += 1;
    const attempt = Math.max(
      attrNumber(e.attrs, 'attempt') ?? 0,
      attrNumber(e.attrs, 'attempts') ?? 0,
    );
    if (attempt > acc.maxAttempt) acc.maxAttempt = attempt;
    const retryCount = attrNumber(e.attrs, 'retry_count') ?? 0;
    if (retryCount > acc.maxRetryCount) acc.maxRetryCount = retryCount;
  }

  /** Every task, most recently active first, then by task id. */
  tasks(): readonly TaskAcc[] {
    this.ordered ??= [...this.accs.values()].sort(byActivity);
    return this.ordered;
  }

  /** Counts over every task, computed once per change of the fold. */
  totals(): FoldTotals {
    this.totalsMemo ??= computeTotals(this.tasks());
    return this.totalsMemo;
  }
}

/** Folds the task events of a window with one scan. */
export async function computeTaskFold(store: Store, window: TimeWindow): Promise<TaskFold> {
  const fold = new TaskFold(window);
  const until = Number.isFinite(window.until) ? window.until : undefined;
  for await (const e of store.iterateEvents({ kinds: ['task'], since: window.since, until })) {
    fold.apply(e);
  }
  return fold;
}

export const isEnded = (s: TaskStateName) => s !== 'queued' && isTerminalStatus(s);
export const retriesOf = (a: TaskAcc) =>
  Math.max(a.retryingEvents, a.maxAttempt - 1, a.maxRetryCount, 0);

export function emptyStates(): Record<TaskStateName, number> {
  return Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskStateName, number>;
}

/** Task counts per state, every state listed (the CSV export of seed 001). */
export function countByState(fold: TaskFold): Record<TaskStateName, number> {
  const byState = emptyStates();
  for (const a of fold.tasks()) byState[a.state] += 1;
  return byState;
}

/** Counts of one roadmap and epic. */
export interface RoadmapCounts {
  roadmap_id: string | null;
  epic_id: string | null;
  tasks: number;
  queued: number;
  in_progress: number;
  succeeded: number;
  failed: number;
  other_ended: number;
}

export interface FoldTotals {
  byState: Record<TaskStateName, number>;
  roadmap: RoadmapCounts[];
  ended: number;
  inProgress: number;
  retried: number;
  leftQueue: number;
  durationSum: number;
  durationCount: number;
}

function computeTotals(tasks: readonly TaskAcc[]): FoldTotals {
  const t: FoldTotals = {
    byState: emptyStates(),
    roadmap: [],
    ended: 0,
    inProgress: 0,
    retried: 0,
    leftQueue: 0,
    durationSum: 0,
    durationCount: 0,
  };
  const groups = new Map<string, RoadmapCounts>();
  for (const a of tasks) {
    t.byState[a.state] += 1;
    const key = `${a.roadmapId ?? '\u0000'}\u0001${a.epicId ?? '\u0000'}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        roadmap_id: a.roadmapId,
        epic_id: a.epicId,
        tasks: 0,
        queued: 0,
        in_progress: 0,
        succeeded: 0,
        failed: 0,
        other_ended: 0,
      };
      groups.set(key, g);
    }
    g.tasks += 1;
    if (a.state === 'queued') g.queued += 1;
    else t.leftQueue += 1;
    if (retriesOf(a) > 0) t.retried += 1;
    if (IN_PROGRESS.has(a.state)) {
      g.in_progress += 1;
      t.inProgress += 1;
    }
    if (isEnded(a.state)) {
      t.ended += 1;
      if (a.state === 'success') g.succeeded += 1;
      else if (a.state === 'failure' || a.state === 'timeout') g.failed += 1;
      else g.other_ended += 1;
      if (a.task.durationMs !== null) {
        t.durationSum += a.task.durationMs;
        t.durationCount += 1;
      }
    }
  }
  t.roadmap = [...groups.values()].sort(
    (a, b) => cmpNullable(a.roadmap_id, b.roadmap_id) || cmpNullable(a.epic_id, b.epic_id),
  );
  return t;
}

/** Nulls last, then plain string order. */
function cmpNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
