/** Shared fixtures for the store contract: the harness type, event factories and reference folds. */
import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import {
  addCounters,
  eventContribution,
  ROLLUP_FIELDS,
  taskContribution,
  zeroCounters,
  type RollupCounters,
} from '../../core/rollup.js';
import { applyTaskEvent, emptyTask, taskBucketTs, type TaskState } from '../../core/tasks.js';
import type {
  AggregateQuery,
  Checkpoint,
  EventQuery,
  ModelAggregate,
  SessionInfo,
  Store,
} from '../types.js';

/** What a backend's test file hands the contract: a fresh, empty store and a way to reopen it. */
export interface StoreHarness {
  store: Store;
  /** A new Store instance on the same data (the first may still be open). */
  reopen: () => Promise<Store>;
  /** Closes every store this harness opened and deletes the data. */
  cleanup: () => Promise<void>;
}

const MIN = 60_000;

/** Epoch ms of `HH:MM` or `HH:MM:SS` on 2026-02-16, UTC. */
export function at(hms: string): number {
  return Date.parse(`2026-02-16T${hms.length === 5 ? `${hms}:00` : hms}Z`);
}

let made = 0;

/**
 * A complete event with every field set (optional ones null), overridable field by field.
 *
 * @example
 * makeEvent({ id: 'e1', kind: 'task', type: 'task_end', taskId: 't1', status: 'success' })
 */
export function makeEvent(overrides: Partial<VigilEvent> = {}): VigilEvent {
  made += 1;
  return {
    id: `evt-${made}`,
    type: 'log_line',
    kind: 'log',
    ts: at('10:00'),
    ...EMPTY_EVENT_FIELDS,
    source: {
      adapter: 'test',
      file: '/work/logs/agent.jsonl',
      line: made,
      offset: (made - 1) * 120,
    },
    attrs: {},
    ...overrides,
  };
}

export function taskStart(
  id: string,
  taskId: string,
  ts: number,
  o: Partial<VigilEvent> = {},
): VigilEvent {
  return makeEvent({ id, type: 'task_start', kind: 'task', taskId, ts, status: 'started', ...o });
}

export function taskEnd(
  id: string,
  taskId: string,
  ts: number,
  status: EventStatus,
  o: Partial<VigilEvent> = {},
): VigilEvent {
  return makeEvent({ id, type: 'task_end', kind: 'task', taskId, ts, status, ...o });
}

export function makeCheckpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    path: '/work/logs/agent.jsonl',
    adapter: 'agent-events',
    dev: 2049,
    ino: 1_234_567,
    offset: 4096,
    size: 8192,
    headDigest: 'sha256:6f1ed002ab5595859014ebf0951522d9',
    headLength: 1024,
    lines: 37,
    contentDigest: null,
    updatedAt: at('10:00'),
    ...overrides,
  };
}

/** An aggregate row: zero everywhere except `c`. */
export function agg(model: string, c: Partial<RollupCounters> = {}): ModelAggregate {
  return { model, ...zeroCounters(), ...c };
}

export function byModel(list: readonly ModelAggregate[]): ModelAggregate[] {
  return [...list].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** What aggregateByModel must return, from the core fold and contribution functions. */
export function referenceAggregates(
  events: readonly VigilEvent[],
  q: AggregateQuery,
): ModelAggregate[] {
  const out = new Map<string, RollupCounters>();
  const add = (model: string, c: RollupCounters) => {
    if (q.model !== undefined && model !== q.model) return;
    out.set(model, addCounters(out.get(model) ?? zeroCounters(), c));
  };
  const tasks = new Map<string, TaskState>();
  for (const e of events) {
    if (e.kind === 'task' && e.taskId !== null) {
      const t = tasks.get(e.taskId) ?? emptyTask(e.taskId, e.ts);
      tasks.set(e.taskId, applyTaskEvent(t, e));
      continue;
    }
    const c = eventContribution(e);
    if (c !== null && e.ts >= q.since && e.ts < q.until) add(c.model, c.c);
  }
  for (const t of tasks.values()) {
    const bucket = taskBucketTs(t);
    if (bucket >= q.since && bucket < q.until) {
      const c = taskContribution(t);
      add(c.model, c.c);
    }
  }
  return byModel(
    [...out]
      .filter(([, c]) => ROLLUP_FIELDS.some((f) => c[f] !== 0))
      .map(([model, c]) => ({ model, ...c })),
  );
}

export function normaliseSession<T extends SessionInfo>(s: T | null): T | null {
  return s === null
    ? null
    : { ...s, models: [...s.models].sort(), adapters: [...s.adapters].sort() };
}

/** A deterministic PRNG (mulberry32), so a failing case replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function chunks<T>(xs: readonly T[], rand: () => number, max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

/**
 * 40 tasks (complete, retried, incomplete, end-only) and 180 non-task events between 08:00 and
 * about 18:00, with distinct timestamps, one model per task (on its start event) and costs in
 * eighths of a dollar so that sums are exact in any order.
 */
export function buildScenario(seed: number): VigilEvent[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const events: VigilEvent[] = [];
  let n = 0;
  const ts = (base: number) => base + (n += 1);
  const slot = (fromMin: number, spanMin: number) =>
    at('08:00') + (fromMin + Math.floor(rand() * spanMin)) * MIN;
  const models = ['m-a', 'm-b', 'm-c', null] as const;
  const taskIds: string[] = [];
  for (let t = 0; t < 40; t++) {
    const taskId = `sc-task-${seed}-${t}`;
    taskIds.push(taskId);
    const model = pick(models);
    const sessionId = pick(['sc-s1', 'sc-s2', null]);
    const start = slot(0, 420);
    const shape = rand();
    const endOnly = shape < 0.1;
    if (!endOnly)
      events.push(taskStart(`${taskId}-start`, taskId, ts(start), { model, sessionId }));
    if (shape >= 0.1 && shape < 0.25) continue; // incomplete
    const usage = () => ({
      tokensIn: 1 + Math.floor(rand() * 5000),
      tokensOut: 1 + Math.floor(rand() * 2000),
      tokensCacheRead: rand() < 0.5 ? null : Math.floor(rand() * 900),
      tokensCacheWrite: rand() < 0.7 ? null : Math.floor(rand() * 90),
      durationMs: rand() < 0.1 ? null : 1000 * (1 + Math.floor(rand() * 3600)),
      costUsd: rand() < 0.5 ? null : Math.floor(rand() * 40) / 8,
      sessionId,
    });
    const firstEnd = start + (1 + Math.floor(rand() * 90)) * MIN;
    if (shape >= 0.75) {
      events.push(
        makeEvent({
          id: `${taskId}-retrying`,
          type: 'task_retry',
          kind: 'task',
          taskId,
          status: 'retrying',
          ts: ts(firstEnd - MIN),
          tokensIn: 17,
        }),
      );
      events.push(taskEnd(`${taskId}-fail`, taskId, ts(firstEnd), 'failure', usage()));
      events.push(
        taskEnd(
          `${taskId}-end`,
          taskId,
          ts(firstEnd + (1 + Math.floor(rand() * 90)) * MIN),
          'success',
          usage(),
        ),
      );
    } else {
      events.push(
        taskEnd(
          `${taskId}-end`,
          taskId,
          ts(firstEnd),
          pick(['success', 'failure', 'timeout', 'cancelled'] as const),
          usage(),
        ),
      );
    }
  }
  for (let i = 0; i < 150; i++) {
    events.push(
      makeEvent({
        id: `sc-llm-${seed}-${i}`,
        type: 'llm_response',
        kind: 'llm_call',
        ts: ts(slot(0, 480)),
        model: pick(models),
        taskId: rand() < 0.4 ? pick(taskIds) : null,
        sessionId: pick(['sc-s1', 'sc-s2', null]),
        tokensIn: 1 + Math.floor(rand() * 3000),
        tokensOut: rand() < 0.2 ? null : 1 + Math.floor(rand() * 1000),
        tokensCacheRead: rand() < 0.5 ? null : Math.floor(rand() * 900),
        costUsd: rand() < 0.3 ? Math.floor(rand() * 16) / 8 : null,
      }),
    );
  }
  for (let i = 0; i < 30; i++) {
    events.push(
      makeEvent({ id: `sc-log-${seed}-${i}`, ts: ts(slot(0, 480)), model: pick(models) }),
    );
  }
  return events;
}

export const HEALTHY = { ok: true, problems: [] };

/** What each area of the contract gets from `describeStoreContract`. */
export interface ContractContext {
  /** One test on a fresh store, cleaned up whatever happens. */
  storeIt: (title: string, fn: (h: StoreHarness) => Promise<void>, timeoutMs?: number) => void;
  /** Ids of the events a query returns (limit 10 000 unless `q` says otherwise). */
  idsOf: (store: Store, q?: EventQuery) => Promise<string[]>;
  /** Drains an async iterable of events into an array. */
  collect: (source: AsyncIterable<VigilEvent>) => Promise<VigilEvent[]>;
}
