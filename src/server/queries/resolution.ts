/**
 * Seed 001's resolution loops: the live ones (latest state `active`) and the history of closed
 * and abandoned loops and their attempts, from `resolution_loop` and `resolution_attempt`
 * events (docs/formats/wvo.md).
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../../store/types.js';
import { attrNumber, attrString, mean, ratio, round } from './attrs.js';
import { iso, isoOf, type TimeWindow } from './time.js';

export const LoopRow = z.object({
  loop_id: z.string(),
  task_id: z.string().nullable(),
  run_id: z.string().nullable(),
  status: z.string().describe('active, closed or abandoned'),
  opened_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  updated_at: z.string().describe('When this state of the loop was recorded'),
  attempt_count: z.number().int(),
  incident_count: z.number().int(),
  last_outcome: z.string().nullable(),
  last_label: z.string().nullable(),
  duration_seconds: z.number().nullable().describe('Closed loops: closed - opened'),
  age_seconds: z.number().nullable().describe('Active loops: now - opened'),
});
export type LoopRow = z.infer<typeof LoopRow>;

export const ATTEMPT_OUTCOMES = [
  'success',
  'failure',
  'timeout',
  'cancelled',
  'pending',
  'unknown',
] as const;
type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export const ResolutionBody = z.object({
  window: z.object({ since: z.string(), until: z.string() }),
  generated_at: z.string(),
  live: z.object({
    count: z.number().int(),
    loops: z.array(LoopRow).describe('Active loops, most recently updated first'),
  }),
  historical: z.object({
    loops: z.number().int().describe('Loops closed or abandoned in the window'),
    closed: z.number().int(),
    abandoned: z.number().int(),
    success_rate: z.number().nullable().describe('closed / (closed + abandoned)'),
    avg_attempts: z.number().nullable(),
    avg_duration_seconds: z.number().nullable(),
    incidents: z.number().int(),
    attempts: z
      .record(z.enum(ATTEMPT_OUTCOMES), z.number().int())
      .describe('Attempts started in the window, by outcome'),
  }),
  recent: z
    .array(LoopRow)
    .describe('Loops closed or abandoned in the window, newest first, at most `limit`'),
});
export type ResolutionBody = z.infer<typeof ResolutionBody>;

interface LoopState {
  event: VigilEvent;
  status: string;
  attemptCount: number;
}

const FINAL = new Set(['closed', 'abandoned']);

/** True when `b` is a later state of a loop than `a`. */
function isLater(a: LoopState, b: LoopState): boolean {
  if (b.event.ts !== a.event.ts) return b.event.ts > a.event.ts;
  if (b.attemptCount !== a.attemptCount) return b.attemptCount > a.attemptCount;
  return FINAL.has(b.status) && !FINAL.has(a.status);
}

function outcomeOf(e: VigilEvent): AttemptOutcome {
  const o = attrString(e.attrs, 'outcome');
  if (o === 'success' || o === 'failure' || o === 'timeout' || o === 'cancelled' || o === 'pending')
    return o;
  switch (e.status) {
    case 'success':
    case 'failure':
    case 'timeout':
    case 'cancelled':
      return e.status;
    case 'started':
      return 'pending';
    default:
      return 'unknown';
  }
}

function loopRow(s: LoopState, now: number): LoopRow {
  const e = s.event;
  const opened = attrString(e.attrs, 'opened_at');
  const openedMs = opened === null ? null : Date.parse(opened);
  return {
    loop_id: attrString(e.attrs, 'loop_id') ?? e.id,
    task_id: e.taskId,
    run_id: attrString(e.attrs, 'run_id') ?? e.sessionId,
    status: s.status,
    opened_at: openedMs === null || Number.isNaN(openedMs) ? null : isoOf(openedMs),
    closed_at: iso(Date.parse(attrString(e.attrs, 'closed_at') ?? '')),
    updated_at: isoOf(e.ts),
    attempt_count: s.attemptCount,
    incident_count: attrNumber(e.attrs, 'incident_count') ?? 0,
    last_outcome: attrString(e.attrs, 'last_outcome'),
    last_label: attrString(e.attrs, 'last_label'),
    duration_seconds:
      FINAL.has(s.status) && e.durationMs !== null ? round(e.durationMs / 1000, 3) : null,
    age_seconds:
      s.status === 'active' && openedMs !== null && !Number.isNaN(openedMs)
        ? round(Math.max(0, now - openedMs) / 1000, 3)
        : null,
  };
}

/** Loop and attempt events up to the window's end, folded: the raw material of the document. */
export interface ResolutionSnapshot {
  window: TimeWindow;
  generatedAt: number;
  live: LoopRow[];
  recent: LoopRow[];
  attempts: Record<AttemptOutcome, number>;
}

/**
 * Reads every resolution event before the window's end (a live loop may have opened long
 * before the window): the latest state of each loop says whether it is live; loops that closed
 * in the window and attempts started in it make the history.
 */
export async function computeResolution(
  store: Store,
  window: TimeWindow,
  now: number,
): Promise<ResolutionSnapshot> {
  const loops = new Map<string, LoopState>();
  const attempts = Object.fromEntries(ATTEMPT_OUTCOMES.map((o) => [o, 0])) as Record<
    AttemptOutcome,
    number
  >;
  for await (const e of store.iterateEvents({ kinds: ['resolution'], until: window.until })) {
    if (e.type === 'resolution_attempt') {
      if (e.ts >= window.since) attempts[outcomeOf(e)] += 1;
      continue;
    }
    if (e.type !== 'resolution_loop') continue;
    const loopId = attrString(e.attrs, 'loop_id') ?? e.id;
    const state: LoopState = {
      event: e,
      status: attrString(e.attrs, 'loop_status') ?? (e.status === 'started' ? 'active' : 'closed'),
      attemptCount: attrNumber(e.attrs, 'attempt_count') ?? 0,
    };
    const prev = loops.get(loopId);
    if (prev === undefined || isLater(prev, state)) loops.set(loopId, state);
  }
  const latest = [...loops.values()].sort((a, b) => b.event.ts - a.event.ts);
  return {
    window,
    generatedAt: now,
    live: latest.filter((s) => s.status === 'active').map((s) => loopRow(s, now)),
    recent: latest
      .filter((s) => FINAL.has(s.status) && s.event.ts >= window.since)
      .map((s) => loopRow(s, now)),
    attempts,
  };
}

export function resolutionBody(snapshot: ResolutionSnapshot, recentLimit: number): ResolutionBody {
  const { recent } = snapshot;
  const closed = recent.filter((r) => r.status === 'closed').length;
  const abandoned = recent.filter((r) => r.status === 'abandoned').length;
  return {
    window: { since: isoOf(snapshot.window.since), until: isoOf(snapshot.window.until) },
    generated_at: isoOf(snapshot.generatedAt),
    live: { count: snapshot.live.length, loops: snapshot.live },
    historical: {
      loops: recent.length,
      closed,
      abandoned,
      success_rate: ratio(closed, closed + abandoned),
      avg_attempts: mean(
        recent.map((r) => r.attempt_count),
        3,
      ),
      avg_duration_seconds: mean(
        recent.flatMap((r) => (r.duration_seconds === null ? [] : [r.duration_seconds])),
        3,
      ),
      incidents: recent.reduce((s, r) => s + r.incident_count, 0),
      attempts: snapshot.attempts,
    },
    recent: recent.slice(0, recentLimit),
  };
}

/** Columns of the active-loops CSV export. */
export const LIVE_LOOP_COLUMNS = [
  'loop_id',
  'task_id',
  'run_id',
  'status',
  'opened_at',
  'updated_at',
  'attempt_count',
  'incident_count',
  'last_outcome',
  'last_label',
  'age_seconds',
] as const satisfies readonly (keyof LoopRow)[];
