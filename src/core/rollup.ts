import type { VigilEvent } from './event.js';
import { taskBucketTs, type TaskState } from './tasks.js';

export const HOUR_MS = 3_600_000;

/** Additive counters of the hourly rollup, per (hour, model). Negative deltas are allowed. */
export interface RollupCounters {
  tasks: number;
  ended: number;
  success: number;
  failure: number;
  timeout: number;
  incomplete: number;
  durationSumMs: number;
  durationCount: number;
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead: number;
  tokensCacheWrite: number;
  costReportedUsd: number;
}

export const ROLLUP_FIELDS = [
  'tasks',
  'ended',
  'success',
  'failure',
  'timeout',
  'incomplete',
  'durationSumMs',
  'durationCount',
  'tokensIn',
  'tokensOut',
  'tokensCacheRead',
  'tokensCacheWrite',
  'costReportedUsd',
] as const satisfies readonly (keyof RollupCounters)[];

export function zeroCounters(): RollupCounters {
  return {
    tasks: 0,
    ended: 0,
    success: 0,
    failure: 0,
    timeout: 0,
    incomplete: 0,
    durationSumMs: 0,
    durationCount: 0,
    tokensIn: 0,
    tokensOut: 0,
    tokensCacheRead: 0,
    tokensCacheWrite: 0,
    costReportedUsd: 0,
  };
}

export function addCounters(into: RollupCounters, from: RollupCounters, sign = 1): RollupCounters {
  // Spelt out rather than looped over ROLLUP_FIELDS: the ingest path calls this twice per task.
  into.tasks += sign * from.tasks;
  into.ended += sign * from.ended;
  into.success += sign * from.success;
  into.failure += sign * from.failure;
  into.timeout += sign * from.timeout;
  into.incomplete += sign * from.incomplete;
  into.durationSumMs += sign * from.durationSumMs;
  into.durationCount += sign * from.durationCount;
  into.tokensIn += sign * from.tokensIn;
  into.tokensOut += sign * from.tokensOut;
  into.tokensCacheRead += sign * from.tokensCacheRead;
  into.tokensCacheWrite += sign * from.tokensCacheWrite;
  into.costReportedUsd += sign * from.costReportedUsd;
  return into;
}

export function hourOf(ts: number): number {
  return Math.floor(ts / HOUR_MS) * HOUR_MS;
}

/** What one task contributes to the rollup, and where (its bucket hour and model). */
export function taskContribution(task: TaskState): {
  hour: number;
  model: string;
  c: RollupCounters;
} {
  const c = zeroCounters();
  addTaskContribution(c, task, 1);
  return { hour: taskHour(task), model: task.model ?? '', c };
}

/** The rollup hour a task counts in (see taskContribution). */
export function taskHour(task: TaskState): number {
  return hourOf(task.eventCount === 0 ? task.spanFirstTs : taskBucketTs(task));
}

/**
 * Adds `sign` × what `task` contributes to `into`, allocating nothing (the ingest path calls it
 * once per task); its hour and model are `taskHour(task)` and `task.model ?? ''`.
 */
export function addTaskContribution(into: RollupCounters, task: TaskState, sign: number): void {
  if (task.eventCount === 0) return;
  into.tasks += sign;
  const status = task.status;
  if (status === null) into.incomplete += sign;
  else {
    into.ended += sign;
    if (status === 'success') into.success += sign;
    else if (status === 'failure') into.failure += sign;
    else if (status === 'timeout') into.timeout += sign;
    if (task.durationMs !== null) {
      into.durationSumMs += sign * task.durationMs;
      into.durationCount += sign;
    }
  }
  into.tokensIn += sign * task.tokensIn;
  into.tokensOut += sign * task.tokensOut;
  into.tokensCacheRead += sign * task.tokensCacheRead;
  into.tokensCacheWrite += sign * task.tokensCacheWrite;
  into.costReportedUsd += sign * (task.costUsd ?? 0);
}

/**
 * What a non-task event contributes: its own tokens and reported cost (LLM calls, reviews,
 * usage records). Task-kind events contribute through their task instead. Null when the event
 * carries no usage.
 */
export function eventContribution(
  event: Pick<
    VigilEvent,
    | 'kind'
    | 'taskId'
    | 'ts'
    | 'model'
    | 'tokensIn'
    | 'tokensOut'
    | 'tokensCacheRead'
    | 'tokensCacheWrite'
    | 'costUsd'
  >,
): { hour: number; model: string; c: RollupCounters } | null {
  if (event.kind === 'task' && event.taskId !== null) return null;
  if (
    event.tokensIn === null &&
    event.tokensOut === null &&
    event.tokensCacheRead === null &&
    event.tokensCacheWrite === null &&
    event.costUsd === null
  ) {
    return null;
  }
  const c = zeroCounters();
  c.tokensIn = event.tokensIn ?? 0;
  c.tokensOut = event.tokensOut ?? 0;
  c.tokensCacheRead = event.tokensCacheRead ?? 0;
  c.tokensCacheWrite = event.tokensCacheWrite ?? 0;
  c.costReportedUsd = event.costUsd ?? 0;
  return { hour: hourOf(event.ts), model: event.model ?? '', c };
}
