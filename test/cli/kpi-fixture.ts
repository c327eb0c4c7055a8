import { uuid } from './helpers.js';

/**
 * A realistic seed-003 `.droid/kpis.jsonl`: 13 tasks (one on 2026-02-09, outside the golden
 * range, then 12 over 2026-02-15..16) across 3 models, two reviews, one error event, four bad
 * lines and two duplicated lines. Every expected number in the tests is worked out by hand
 * from this table; see the comments there.
 */
export interface TaskRow {
  n: number;
  model: string;
  session: string;
  start: string;
  durationSeconds: number;
  tokensIn: number;
  tokensOut: number;
  status: 'success' | 'failure';
}

const GPT = 'gpt-5.3-codex';
const SWE = 'swe-1-5';
const GEM = 'gemini-3-flash';

type Row = [
  n: number,
  model: string,
  session: string,
  start: string,
  durationSeconds: number,
  tokensIn: number,
  tokensOut: number,
  status: TaskRow['status'],
];
// prettier-ignore
const ROWS: readonly Row[] = [
  [0, GPT, 'sess_0209', '2026-02-09T09:00:00Z', 300, 5000, 5000, 'success'],
  [1, GPT, 'sess_0215', '2026-02-15T09:00:00Z', 150, 1500, 800, 'success'],
  [2, GPT, 'sess_0215', '2026-02-15T10:00:00Z', 180, 2000, 900, 'success'],
  [3, SWE, 'sess_0215', '2026-02-15T11:00:00Z', 60, 1200, 300, 'success'],
  [4, GEM, 'sess_0215', '2026-02-15T12:00:00Z', 120, 1000, 500, 'success'],
  [5, SWE, 'sess_0215', '2026-02-15T13:00:00Z', 300, 2500, 700, 'failure'],
  [6, GPT, 'sess_0215', '2026-02-15T14:00:00Z', 240, 3650, 1850, 'success'],
  [7, GPT, 'sess_0216', '2026-02-16T09:00:00Z', 90, 1100, 450, 'success'],
  [8, SWE, 'sess_0216', '2026-02-16T10:00:00Z', 120, 1300, 350, 'success'],
  [9, GEM, 'sess_0216', '2026-02-16T11:00:00Z', 180, 1400, 600, 'success'],
  [10, GPT, 'sess_0216', '2026-02-16T12:00:00Z', 120, 1600, 750, 'success'],
  [11, SWE, 'sess_0216', '2026-02-16T13:00:00Z', 90, 900, 250, 'success'],
  [12, GPT, 'sess_0216', '2026-02-16T14:00:00Z', 180, 2250, 600, 'success'],
];
export const TASKS: readonly TaskRow[] = ROWS.map(
  ([n, model, session, start, durationSeconds, tokensIn, tokensOut, status]) => ({
    n,
    model,
    session,
    start,
    durationSeconds,
    tokensIn,
    tokensOut,
    status,
  }),
);
// Tasks 1..12 (2026-02-15..16): 12 tasks, 11 successful (task 5 failed) -> 91.7% / 0.917.
//   duration 150+180+60+120+300+240+90+120+180+120+90+180 = 1830 s / 12 = 152.5 s = 2.5 min
//   input  1500+2000+1200+1000+2500+3650+1100+1300+1400+1600+900+2250 = 20,400
//   output  800+ 900+ 300+ 500+ 700+1850+ 450+ 350+ 600+ 750+250+ 600 =  8,050 -> 28,450 total
//   gpt-5.3-codex  tasks 1,2,6,7,10,12: 6 tasks, 100%, in 12,100, out 5,350, 960 s
//   swe-1-5        tasks 3,5,8,11:      4 tasks,  75%, in  5,900, out 1,600, 570 s
//   gemini-3-flash tasks 4,9:           2 tasks, 100%, in  2,400, out 1,100, 300 s

export const taskId = (n: number) => `task_${String(n).padStart(2, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function startEvent(t: TaskRow): Record<string, unknown> {
  return {
    event_id: uuid(t.n * 10 + 1),
    event_type: 'task_start',
    timestamp: t.start,
    task_id: taskId(t.n),
    session_id: t.session,
    model: t.model,
  };
}

export function endEvent(t: TaskRow): Record<string, unknown> {
  const e: Record<string, unknown> = {
    event_id: uuid(t.n * 10 + 2),
    event_type: 'task_end',
    timestamp: iso(Date.parse(t.start) + t.durationSeconds * 1000),
    task_id: taskId(t.n),
    session_id: t.session,
    tokens_input: t.tokensIn,
    tokens_output: t.tokensOut,
    duration_seconds: t.durationSeconds,
    status: t.status,
  };
  if (t.status === 'failure') e['error_message'] = '=cmd()';
  return e;
}

const task = (n: number) => TASKS[n] as TaskRow;

/** The secret-bearing error message of the error event on task 5 (for sanitize). */
export const SECRET_MESSAGE =
  'upstream rejected key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z while reading /home/alice/projects/app/.env';
export const ERROR_EVENT_ID = uuid(505);

/** The file's lines; index i is line i+1. */
export function goldenKpiLines(): string[] {
  const j = (o: unknown) => JSON.stringify(o);
  return [
    j(startEvent(task(0))), //                                    1
    j(endEvent(task(0))), //                                      2
    j(startEvent(task(1))), //                                    3
    j(endEvent(task(1))), //                                      4
    j({
      event_id: uuid(901),
      event_type: 'review_start',
      timestamp: '2026-02-15T09:02:31Z',
      task_id: taskId(1),
      session_id: 'sess_0215',
      model: GPT,
    }), // 5
    j({
      event_id: uuid(902),
      event_type: 'review_end',
      timestamp: '2026-02-15T09:04:00Z',
      task_id: taskId(1),
      session_id: 'sess_0215',
      model: GPT,
    }), // 6
    j(startEvent(task(2))), //                                    7
    j(endEvent(task(2))), //                                      8
    '{"event_id": "550e8400-e29b-41d4-a716-44665544', //          9  malformed JSON
    j(startEvent(task(3))), //                                   10
    j(endEvent(task(3))), //                                     11
    j(startEvent(task(4))), //                                   12
    j(endEvent(task(4))), //                                     13
    j(startEvent(task(5))), //                                   14
    j({
      event_id: ERROR_EVENT_ID,
      event_type: 'error',
      timestamp: '2026-02-15T13:04:00Z',
      task_id: taskId(5),
      session_id: 'sess_0215',
      error_message: SECRET_MESSAGE,
    }), // 15
    j(endEvent(task(5))), //                                     16
    j(endEvent(task(2))), //                                     17 duplicate of line 8
    j(startEvent(task(6))), //                                   18
    j(endEvent(task(6))), //                                     19
    j({
      event_id: uuid(990),
      event_type: 'task_end',
      timestamp: '2026-02-15T15:00:00Z',
      task_id: 'task_bad',
      status: 'ok',
    }), // 20 schema: status
    j(startEvent(task(7))), //                                   21
    j(endEvent(task(7))), //                                     22
    j({
      event_id: uuid(903),
      event_type: 'review_start',
      timestamp: '2026-02-16T09:01:31Z',
      task_id: taskId(7),
      session_id: 'sess_0216',
      model: GPT,
    }), // 23
    j({
      event_id: uuid(904),
      event_type: 'review_end',
      timestamp: '2026-02-16T09:03:00Z',
      task_id: taskId(7),
      session_id: 'sess_0216',
      model: GPT,
    }), // 24
    j(startEvent(task(8))), //                                   25
    j(endEvent(task(8))), //                                     26
    j({
      event_id: 'not-a-uuid',
      event_type: 'task_start',
      timestamp: '2026-02-16T10:30:00Z',
      task_id: 'task_bad2',
    }), // 27 schema: event_id
    j(startEvent(task(9))), //                                   28
    j(endEvent(task(9))), //                                     29
    j(startEvent(task(10))), //                                  30
    j(endEvent(task(10))), //                                    31
    j(startEvent(task(1))), //                                   32 duplicate of line 3
    j(startEvent(task(11))), //                                  33
    j(endEvent(task(11))), //                                    34
    j({
      event_id: uuid(991),
      event_type: 'task_paused',
      timestamp: '2026-02-16T13:30:00Z',
      task_id: taskId(11),
    }), // 35 unknown event_type
    j(startEvent(task(12))), //                                  36
    j(endEvent(task(12))), //                                    37
  ];
}

/** 31 valid distinct events (26 task events, 4 review, 1 error); 29 of them on 2026-02-15..16. */
export const GOLDEN_VALID_EVENTS = 31;

/** Prices for the three models (USD per million tokens), as a vigil.toml in the run folder.
 *  gpt 12,100*100 + 5,350*400 = 3,350,000 -> $3.35; swe 5,900*50 + 1,600*200 = 615,000 -> $0.615;
 *  gemini 2,400*10 + 1,100*40 = 68,000 -> $0.068; total $4.033 -> "$4.03". */
export const PRICES_TOML = `[prices."gpt-5.3-codex"]
input = 100
output = 400

[prices."swe-1-5"]
input = 50
output = 200

[prices."gemini-3-flash"]
input = 10
output = 40
`;
