import type { EventKind, EventStatus } from '../../core/event.js';
import { F } from '../../core/encoded.js';
import {
  addCounters,
  eventContribution,
  zeroCounters,
  type RollupCounters,
} from '../../core/rollup.js';
import { emptyTask, foldTaskEvent, touchTaskSpan, type TaskState } from '../../core/tasks.js';

/** What a batch adds to one session. */
export interface SessionDelta {
  firstTs: number;
  lastTs: number;
  count: number;
  status: string | null;
  statusTs: number | null;
  tokensIn: number;
  tokensOut: number;
  facets: Set<string>;
}

/** A task touched by the batch: its folded partial state and where it lives, if stored. */
export interface TouchedTask {
  partial: TaskState;
  rowid: number | null;
}

/**
 * Folds one newly stored event (at offset `o` of an encoding's values) into the batch's task
 * partials, hourly rollup deltas and session deltas.
 */
export function accumulateEvent(
  v: unknown[],
  o: number,
  tasks: Map<string, TouchedTask>,
  rollup: Map<string, RollupCounters>,
  sessions: Map<string, SessionDelta>,
): void {
  const kind = v[o + F.kind] as EventKind;
  const taskId = v[o + F.taskId] as string | null;
  const ts = v[o + F.ts] as number;
  const model = v[o + F.model] as string | null;
  const status = v[o + F.status] as EventStatus | null;
  const tokensIn = v[o + F.tokensIn] as number | null;
  const tokensOut = v[o + F.tokensOut] as number | null;
  const sessionId = v[o + F.sessionId] as string | null;
  if (taskId !== null) {
    let t = tasks.get(taskId);
    if (t === undefined) {
      t = { partial: emptyTask(taskId, ts), rowid: null };
      tasks.set(taskId, t);
    }
    if (kind === 'task') {
      foldTaskEvent(
        t.partial,
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
    } else touchTaskSpan(t.partial, ts);
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
    if (c !== null) addTo(rollup, c.hour, c.model, c.c, 1);
  }
  if (sessionId !== null) {
    let s = sessions.get(sessionId);
    if (s === undefined) {
      s = {
        firstTs: ts,
        lastTs: ts,
        count: 0,
        status: null,
        statusTs: null,
        tokensIn: 0,
        tokensOut: 0,
        facets: new Set(),
      };
      sessions.set(sessionId, s);
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
    if (model !== null) s.facets.add(`model\u0000${model}`);
    s.facets.add(`adapter\u0000${v[o + F.adapter] as string}`);
  }
}

/** Adds `sign` × `c` to the rollup delta of (hour, model). */
export function addTo(
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
