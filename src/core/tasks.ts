import type { EventStatus, VigilEvent } from './event.js';
import { isTerminalStatus } from './vocabulary.js';

/**
 * One task as the join of its events: the model may come from the start event and the
 * tokens, duration and status from the end event(s). A task retried under the same id has
 * several end events: the latest decides the status; tokens and durations add up.
 */
export interface TaskState {
  taskId: string;
  model: string | null;
  sessionId: string | null;
  startedTs: number | null;
  endedTs: number | null;
  /** Status of the latest terminal event; null while the task is incomplete. */
  status: EventStatus | null;
  attempts: number;
  durationMs: number | null;
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead: number;
  tokensCacheWrite: number;
  costUsd: number | null;
  firstTs: number;
  /** Task-kind events folded in; 0 for an id seen only on other kinds (not counted as a task). */
  eventCount: number;
  /** Earliest and latest ts of any event carrying this task id, whatever its kind. */
  spanFirstTs: number;
  spanLastTs: number;
}

/** A fresh task state from its first event. */
export function emptyTask(taskId: string, ts: number): TaskState {
  return {
    taskId,
    model: null,
    sessionId: null,
    startedTs: null,
    endedTs: null,
    status: null,
    attempts: 0,
    durationMs: null,
    tokensIn: 0,
    tokensOut: 0,
    tokensCacheRead: 0,
    tokensCacheWrite: 0,
    costUsd: null,
    firstTs: ts,
    eventCount: 0,
    spanFirstTs: ts,
    spanLastTs: ts,
  };
}

/** Widens a task's span to include an event of any kind carrying its id. */
export function touchTaskSpan(task: TaskState, ts: number): void {
  if (ts < task.spanFirstTs) task.spanFirstTs = ts;
  if (ts > task.spanLastTs) task.spanLastTs = ts;
}

/** The fields of an event the task join reads (a VigilEvent has them all). */
export type TaskEventFacts = Pick<
  VigilEvent,
  | 'ts'
  | 'model'
  | 'sessionId'
  | 'status'
  | 'durationMs'
  | 'tokensIn'
  | 'tokensOut'
  | 'tokensCacheRead'
  | 'tokensCacheWrite'
  | 'costUsd'
>;

/** Folds one task-kind event into a task state (mutates and returns `task`). */
export function applyTaskEvent(task: TaskState, e: TaskEventFacts): TaskState {
  return foldTaskEvent(
    task,
    e.ts,
    e.model,
    e.sessionId,
    e.status,
    e.durationMs,
    e.tokensIn,
    e.tokensOut,
    e.tokensCacheRead,
    e.tokensCacheWrite,
    e.costUsd,
  );
}

/**
 * {@link applyTaskEvent} with the fields as arguments: the ingest hot path folds straight from
 * encoded rows without building an object per event.
 */
export function foldTaskEvent(
  task: TaskState,
  ts: number,
  model: string | null,
  sessionId: string | null,
  status: EventStatus | null,
  durationMs: number | null,
  tokensIn: number | null,
  tokensOut: number | null,
  tokensCacheRead: number | null,
  tokensCacheWrite: number | null,
  costUsd: number | null,
): TaskState {
  touchTaskSpan(task, ts);
  if (task.eventCount === 0 || ts < task.firstTs) task.firstTs = ts;
  task.eventCount += 1;
  if (task.model === null && model !== null) task.model = model;
  if (task.sessionId === null && sessionId !== null) task.sessionId = sessionId;
  if (status === 'started' && (task.startedTs === null || ts < task.startedTs)) task.startedTs = ts;
  if (isTerminalStatus(status)) {
    task.attempts += 1;
    if (task.endedTs === null || ts >= task.endedTs) {
      task.endedTs = ts;
      task.status = status;
    }
    if (durationMs !== null) task.durationMs = (task.durationMs ?? 0) + durationMs;
  }
  task.tokensIn += tokensIn ?? 0;
  task.tokensOut += tokensOut ?? 0;
  task.tokensCacheRead += tokensCacheRead ?? 0;
  task.tokensCacheWrite += tokensCacheWrite ?? 0;
  if (costUsd !== null) task.costUsd = (task.costUsd ?? 0) + costUsd;
  return task;
}

/** Folds task state `b` (a later batch's partial view of the same task) into `a`. */
export function mergeTasks(a: TaskState, b: TaskState): TaskState {
  const out: TaskState = { ...a };
  out.eventCount += b.eventCount;
  out.firstTs =
    a.eventCount === 0
      ? b.firstTs
      : b.eventCount === 0
        ? a.firstTs
        : Math.min(a.firstTs, b.firstTs);
  out.spanFirstTs = Math.min(a.spanFirstTs, b.spanFirstTs);
  out.spanLastTs = Math.max(a.spanLastTs, b.spanLastTs);
  out.model = a.model ?? b.model;
  out.sessionId = a.sessionId ?? b.sessionId;
  if (b.startedTs !== null && (a.startedTs === null || b.startedTs < a.startedTs)) {
    out.startedTs = b.startedTs;
  }
  out.attempts = a.attempts + b.attempts;
  if (b.endedTs !== null && (a.endedTs === null || b.endedTs >= a.endedTs)) {
    out.endedTs = b.endedTs;
    out.status = b.status;
  }
  out.durationMs =
    a.durationMs === null && b.durationMs === null
      ? null
      : (a.durationMs ?? 0) + (b.durationMs ?? 0);
  out.tokensIn = a.tokensIn + b.tokensIn;
  out.tokensOut = a.tokensOut + b.tokensOut;
  out.tokensCacheRead = a.tokensCacheRead + b.tokensCacheRead;
  out.tokensCacheWrite = a.tokensCacheWrite + b.tokensCacheWrite;
  out.costUsd =
    a.costUsd === null && b.costUsd === null ? null : (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return out;
}

/** The instant a task counts at in time-bucketed aggregates: its end, else its start. */
export function taskBucketTs(task: TaskState): number {
  return task.endedTs ?? task.startedTs ?? task.firstTs;
}
