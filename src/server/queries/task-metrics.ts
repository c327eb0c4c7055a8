/**
 * Seed 001's task execution metrics: queue depth, throughput, success/failure/retry rates and
 * the roadmap drill-down, from the task events of a time window, whatever framework wrote them.
 */
import { z } from 'zod';

import { EVENT_STATUSES } from '../../core/vocabulary.js';
import { badQuery } from '../http-error.js';
import { ratio, round } from './attrs.js';
import {
  isEnded,
  retriesOf,
  type TaskAcc,
  TaskFold,
  TASK_STATES,
  type TaskStateName,
} from './task-fold.js';
import { HOUR_MS, iso, isoOf, type TimeWindow } from './time.js';

export const TaskRow = z.object({
  task_id: z.string(),
  title: z.string().nullable(),
  roadmap_id: z.string().nullable(),
  epic_id: z.string().nullable(),
  state: z.enum(TASK_STATES).describe('queued, or the status of its latest event'),
  status: z
    .enum(EVENT_STATUSES)
    .nullable()
    .describe('How it ended (latest terminal event); null while not ended'),
  retries: z
    .number()
    .int()
    .describe('Retries seen: retrying events, attempt numbers, retry_count, whichever is most'),
  model: z.string().nullable(),
  agent: z.string().nullable(),
  session_id: z.string().nullable(),
  first_seen_at: z.string(),
  last_seen_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  tokens_input: z.number().int(),
  tokens_output: z.number().int(),
  tokens_cache_read: z.number().int(),
  tokens_cache_write: z.number().int(),
  cost_reported_usd: z.number().nullable(),
  events: z.number().int().describe('Task events in the window'),
  last_event_type: z.string(),
  source_adapter: z.string(),
});
export type TaskRow = z.infer<typeof TaskRow>;

const RoadmapGroup = z.object({
  roadmap_id: z.string().nullable(),
  epic_id: z.string().nullable(),
  tasks: z.number().int(),
  queued: z.number().int(),
  in_progress: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int().describe('failure and timeout'),
  other_ended: z.number().int().describe('skipped, cancelled, blocked, unknown'),
});

export const TaskMetricsBody = z.object({
  window: z.object({ since: z.string(), until: z.string() }),
  generated_at: z.string(),
  tasks: z.number().int().describe('Tasks with an event in the window'),
  queue_depth: z.number().int().describe('Tasks whose latest state is queued'),
  in_progress: z.number().int().describe('started, retrying or warned'),
  ended: z.number().int(),
  by_state: z.record(z.enum(TASK_STATES), z.number().int()),
  throughput: z.object({
    ended_last_hour: z.number().int().describe('Tasks that ended in the last hour of the window'),
    per_hour: z.number().describe('Ended tasks per hour over the window'),
    window_hours: z.number(),
  }),
  rates: z.object({
    success: z.number().nullable().describe('success / ended'),
    failure: z.number().nullable().describe('(failure + timeout) / ended'),
    retry: z.number().nullable().describe('Tasks with retries / tasks that left the queue'),
  }),
  avg_duration_seconds: z.number().nullable(),
  roadmap: z.array(RoadmapGroup).describe('Counts per roadmap and epic'),
  drilldown: z.object({
    total: z.number().int().describe('Rows matching the drill-down filters'),
    rows: z.array(TaskRow).describe('Most recently active first'),
    next_cursor: z.string().nullable(),
  }),
});
export type TaskMetricsBody = z.infer<typeof TaskMetricsBody>;

function rowOf(a: TaskAcc): TaskRow {
  const t = a.task;
  return {
    task_id: t.taskId,
    title: a.title,
    roadmap_id: a.roadmapId,
    epic_id: a.epicId,
    state: a.state,
    status: t.status,
    retries: retriesOf(a),
    model: t.model,
    agent: a.agent,
    session_id: t.sessionId,
    first_seen_at: isoOf(t.firstTs),
    last_seen_at: isoOf(a.lastTs),
    started_at: iso(t.startedTs),
    ended_at: iso(t.endedTs),
    duration_seconds: t.durationMs === null ? null : round(t.durationMs / 1000, 3),
    tokens_input: t.tokensIn,
    tokens_output: t.tokensOut,
    tokens_cache_read: t.tokensCacheRead,
    tokens_cache_write: t.tokensCacheWrite,
    cost_reported_usd: t.costUsd === null ? null : round(t.costUsd, 6),
    events: a.events,
    last_event_type: a.lastType,
    source_adapter: a.adapter,
  };
}

export interface DrilldownFilters {
  state?: TaskStateName;
  roadmap?: string;
  epic?: string;
}

export interface DrilldownParams extends DrilldownFilters {
  limit: number;
  cursor?: string;
}

function encodeCursor(lastTs: number, taskId: string): string {
  return Buffer.from(JSON.stringify([lastTs, taskId])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // falls through to the 400 below
  }
  throw badQuery('cursor', 'not a next_cursor from a previous page of this query');
}

function matching(fold: TaskFold, f: DrilldownFilters): readonly TaskAcc[] {
  if (f.state === undefined && f.roadmap === undefined && f.epic === undefined) return fold.tasks();
  return fold
    .tasks()
    .filter(
      (a) =>
        (f.state === undefined || a.state === f.state) &&
        (f.roadmap === undefined || a.roadmapId === f.roadmap) &&
        (f.epic === undefined || a.epicId === f.epic),
    );
}

/** The drill-down rows matching the filters, all of them (the CSV export). */
export function drilldownRows(fold: TaskFold, f: DrilldownFilters): TaskRow[] {
  return matching(fold, f).map(rowOf);
}

/**
 * The task metrics document: totals over the fold's tasks and one page of the drill-down.
 * `window` is the window reported (a live fold's end is now).
 */
export function taskMetricsBody(
  fold: TaskFold,
  window: TimeWindow,
  now: number,
  p: DrilldownParams,
): TaskMetricsBody {
  const { byState, roadmap, ended, inProgress, retried, leftQueue, durationSum, durationCount } =
    fold.totals();
  // Tasks that ended in the last hour were active since: they lead the activity order.
  let endedLastHour = 0;
  for (const a of fold.tasks()) {
    if (a.lastTs < window.until - HOUR_MS) break;
    const endedTs = a.task.endedTs;
    if (
      isEnded(a.state) &&
      endedTs !== null &&
      endedTs >= window.until - HOUR_MS &&
      endedTs < window.until
    ) {
      endedLastHour += 1;
    }
  }
  const windowHours = (window.until - window.since) / HOUR_MS;
  const rows = matching(fold, p);
  let start = 0;
  if (p.cursor !== undefined) {
    const [ts, id] = decodeCursor(p.cursor);
    // Ordered by last activity (newest first), then task id: resume right after the cursor's
    // position, wherever the tasks around it went since.
    start = rows.findIndex((a) => a.lastTs < ts || (a.lastTs === ts && a.task.taskId > id));
    if (start === -1) start = rows.length;
  }
  const page = rows.slice(start, start + p.limit);
  const last = page[page.length - 1];
  return {
    window: { since: isoOf(window.since), until: isoOf(window.until) },
    generated_at: isoOf(now),
    tasks: fold.size,
    queue_depth: byState.queued,
    in_progress: inProgress,
    ended,
    by_state: byState,
    throughput: {
      ended_last_hour: endedLastHour,
      per_hour: windowHours > 0 ? round(ended / windowHours, 6) : 0,
      window_hours: round(windowHours, 6),
    },
    rates: {
      success: ratio(byState.success, ended),
      failure: ratio(byState.failure + byState.timeout, ended),
      retry: ratio(retried, leftQueue),
    },
    avg_duration_seconds: durationCount > 0 ? round(durationSum / durationCount / 1000, 3) : null,
    roadmap,
    drilldown: {
      total: rows.length,
      rows: page.map(rowOf),
      next_cursor:
        start + p.limit < rows.length && last !== undefined
          ? encodeCursor(last.lastTs, last.task.taskId)
          : null,
    },
  };
}

export const TASK_ROW_COLUMNS = Object.keys(TaskRow.shape) as (keyof TaskRow)[];
