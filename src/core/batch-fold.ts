import { F } from './encoded.js';
import type { EventKind, EventStatus } from './event.js';
import { addCounters, eventContribution, zeroCounters, type RollupCounters } from './rollup.js';
import { emptyTask, foldTaskEvent, touchTaskSpan, type TaskState } from './tasks.js';

/** What a batch adds to one session. */
export interface SessionDelta {
  firstTs: number;
  lastTs: number;
  count: number;
  status: string | null;
  statusTs: number | null;
  tokensIn: number;
  tokensOut: number;
  /** Models and adapters seen in the session (its facets). */
  models: Set<string>;
  adapters: Set<string>;
}

/**
 * What a batch of new events adds to the task join, the hourly rollups (non-task usage) and
 * the sessions, before it meets the store: per task id the batch's partial task state, per
 * `hour\0model` the rollup delta, per session id its delta.
 */
export interface BatchFold {
  tasks: Map<string, TaskState>;
  rollup: Map<string, RollupCounters>;
  sessions: Map<string, SessionDelta>;
}

/**
 * An empty fold.
 *
 * @example
 * const fold = createBatchFold();
 * for (let i = 0; i < enc.count; i++) foldEncodedEvent(fold, enc.values, i * STRIDE);
 */
export function createBatchFold(): BatchFold {
  return { tasks: new Map(), rollup: new Map(), sessions: new Map() };
}

/**
 * Folds one event (at offset `o` of an encoding's values) into a batch fold: its task's
 * partial state, the hourly rollup delta of non-task usage, its session's delta.
 *
 * @example
 * foldEncodedEvent(fold, enc.values, i * STRIDE);
 */
export function foldEncodedEvent(fold: BatchFold, v: readonly unknown[], o: number): void {
  const kind = v[o + F.kind] as EventKind;
  const taskId = v[o + F.taskId] as string | null;
  const ts = v[o + F.ts] as number;
  const model = v[o + F.model] as string | null;
  const status = v[o + F.status] as EventStatus | null;
  const tokensIn = v[o + F.tokensIn] as number | null;
  const tokensOut = v[o + F.tokensOut] as number | null;
  const sessionId = v[o + F.sessionId] as string | null;
  if (taskId !== null) {
    let t = fold.tasks.get(taskId);
    if (t === undefined) {
      t = emptyTask(taskId, ts);
      fold.tasks.set(taskId, t);
    }
    if (kind === 'task') {
      foldTaskEvent(
        t,
        ts,
        model,
        sessionId,
        status,
        v[o + F.durationMs] as number | null,
        tokensIn,
        tokensOut,
        v[o + F.tokensCacheRead] as number | null,
        v[o + F.tokensCacheWrite] as number | null,
        v[o + F.costUsd] as number | null,
      );
    } else touchTaskSpan(t, ts);
  }
  if (
    (kind !== 'task' || taskId === null) &&
    (tokensIn !== null ||
      tokensOut !== null ||
      v[o + F.tokensCacheRead] !== null ||
      v[o + F.tokensCacheWrite] !== null ||
      v[o + F.costUsd] !== null)
  ) {
    const c = eventContribution({
      kind,
      taskId,
      ts,
      model,
      tokensIn,
      tokensOut,
      tokensCacheRead: v[o + F.tokensCacheRead] as number | null,
      tokensCacheWrite: v[o + F.tokensCacheWrite] as number | null,
      costUsd: v[o + F.costUsd] as number | null,
    });
    if (c !== null) addRollupDelta(fold.rollup, c.hour, c.model, c.c, 1);
  }
  if (sessionId !== null) {
    let s = fold.sessions.get(sessionId);
    if (s === undefined) {
      s = {
        firstTs: ts,
        lastTs: ts,
        count: 0,
        status: null,
        statusTs: null,
        tokensIn: 0,
        tokensOut: 0,
        models: new Set(),
        adapters: new Set(),
      };
      fold.sessions.set(sessionId, s);
    }
    s.count += 1;
    if (ts < s.firstTs) s.firstTs = ts;
    if (ts > s.lastTs) s.lastTs = ts;
    if (kind === 'session' && status !== null && (s.statusTs === null || ts >= s.statusTs)) {
      s.status = status;
      s.statusTs = ts;
    }
    s.tokensIn += tokensIn ?? 0;
    s.tokensOut += tokensOut ?? 0;
    if (model !== null) s.models.add(model);
    s.adapters.add(v[o + F.adapter] as string);
  }
}

/**
 * Adds `sign` × `c` to the rollup delta of (hour, model).
 *
 * @example
 * addRollupDelta(fold.rollup, hourOf(ts), 'gpt-5.3-codex', counters, -1);
 */
export function addRollupDelta(
  rollup: Map<string, RollupCounters>,
  hour: number,
  model: string,
  c: RollupCounters,
  sign: number,
): void {
  const key = `${hour}\u0000${model}`;
  let acc = rollup.get(key);
  if (acc === undefined) {
    acc = zeroCounters();
    rollup.set(key, acc);
  }
  addCounters(acc, c, sign);
}
