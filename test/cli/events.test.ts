import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, parseCsv, uuid, type Workspace } from './helpers.js';
import { ERROR_EVENT_ID, goldenKpiLines, SECRET_MESSAGE } from './kpi-fixture.js';

// `vigil events` queries over the golden KPI file (31 events; see kpi-fixture.ts).

let ws: Workspace;
beforeAll(async () => {
  ws = createWorkspace();
  ws.write('.droid/kpis.jsonl', jsonl(goldenKpiLines()));
  expect((await ws.run(['ingest'])).code).toBe(2);
});
afterAll(() => ws.cleanup());

interface Exported {
  event_id: string;
  event_type: string;
  timestamp: string;
  task_id: string | null;
  source_line: number;
  error_message: string | null;
}
const count = async (...args: string[]) => {
  const r = await ws.run(['events', ...args, '--count']);
  return [r.code, r.stdout];
};
const jsonlOf = async (...args: string[]) => {
  const r = await ws.run(['events', ...args, '--format', 'jsonl']);
  expect(r.code).toBe(0);
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Exported);
};

describe('events --count with filters', () => {
  it.each([
    [[], '31'],
    [['--type', 'task_end'], '13'],
    [['--type', 'review_start,review_end'], '4'],
    [['--type', 'review_start', '--type', 'review_end'], '4'],
    [['--kind', 'task'], '26'],
    [['--kind', 'review'], '4'],
    [['--kind', 'log'], '1'],
    [['--task', 'task_05'], '3'],
    [['--session', 'sess_0216'], '14'],
    [['--session', 'sess_0215', '--kind', 'task'], '12'],
    // events without a model of their own belong to their task's model (start + end + error)
    [['--model', 'swe-1-5'], '9'],
    [['--model', 'gpt-5.3-codex'], '18'],
    [['--model', 'gemini-3-flash', '--type', 'task_end'], '2'],
    [['--status', 'failure'], '2'],
    [['--since', '2026-02-16', '--until', '2026-02-16'], '14'],
    [['--since', '2026-02-10'], '29'],
    [['--until', '2026-02-10'], '2'],
    // --since inclusive, --until exclusive: 13:00 start, 13:04 error, 13:05 end; not 14:00
    [['--since', '2026-02-15T13:00:00Z', '--until', '2026-02-15T14:00:00Z'], '3'],
  ])('%j -> %s', async (args, expected) => {
    expect(await count(...args)).toEqual([0, `${expected}\n`]);
  });

  it('no match: prints 0 and exits 1', async () => {
    expect(await count('--type', 'deploy')).toEqual([1, '0\n']);
    expect(
      (await ws.run(['events', '--session', 'nope', '--count', '--format', 'json'])).stdout,
    ).toBe('{"count":0}\n');
  });
});

describe('events listings', () => {
  it('--latest N returns the N most recent, oldest first', async () => {
    const r = await ws.run(['events', '--latest', '3', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { events: Exported[]; next_cursor: string | null };
    expect(out.events.map((e) => [e.event_id, e.event_type, e.task_id])).toEqual([
      [uuid(112), 'task_end', 'task_11'],
      [uuid(121), 'task_start', 'task_12'],
      [uuid(122), 'task_end', 'task_12'],
    ]);
    expect(out.next_cursor).toBeNull();
  });

  it('--latest with a filter', async () => {
    const events = await jsonlOf('--latest', '2', '--type', 'task_start');
    expect(events.map((e) => e.task_id)).toEqual(['task_11', 'task_12']);
  });

  it('--latest in the table format', async () => {
    const r = await ws.run(['events', '--latest', '2']);
    expect(r.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      'time (UTC) type kind status session task model tokens in/out message',
      '------------------- ---------- ---- ------- --------- ------- ------------- ------------- -------',
      '2026-02-16 14:00:00 task_start task started sess_0216 task_12 gpt-5.3-codex',
      '2026-02-16 14:03:00 task_end task success sess_0216 task_12 2250/600',
      '',
    ]);
  });

  it('--kind log --format jsonl: the one error event, with its message and source line', async () => {
    expect(await jsonlOf('--kind', 'log')).toEqual([
      expect.objectContaining({
        event_id: ERROR_EVENT_ID,
        event_type: 'error',
        kind: 'log',
        status: 'failure',
        task_id: 'task_05',
        error_message: SECRET_MESSAGE,
        source_line: 15,
      }),
    ]);
  });

  it('--task --format csv: the task timeline in order, the formula quoted', async () => {
    const r = await ws.run(['events', '--task', 'task_05', '--format', 'csv']);
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    const at = (name: string) => (header ?? []).indexOf(name);
    expect(
      rows.map((row) => [
        row[at('event_type')],
        row[at('timestamp')],
        row[at('status')],
        row[at('tokens_input')],
        row[at('error_message')],
      ]),
    ).toEqual([
      ['task_start', '2026-02-15T13:00:00.000Z', 'started', '', ''],
      ['error', '2026-02-15T13:04:00.000Z', 'failure', '', SECRET_MESSAGE],
      ['task_end', '2026-02-15T13:05:00.000Z', 'failure', '2500', "'=cmd()"],
    ]);
  });

  it('--session --all --format json: every event of the session', async () => {
    const r = await ws.run(['events', '--session', 'sess_0209', '--all', '--format', 'json']);
    const events = JSON.parse(r.stdout) as Exported[];
    expect(events.map((e) => [e.event_type, e.timestamp, e.source_line])).toEqual([
      ['task_start', '2026-02-09T09:00:00.000Z', 1],
      ['task_end', '2026-02-09T09:05:00.000Z', 2],
    ]);
  });

  it('--limit pages forward with --cursor until every event was seen once', async () => {
    const seen: Exported[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const args: string[] = [
        'events',
        '--since',
        '2026-02-15',
        '--limit',
        '10',
        '--format',
        'json',
      ];
      if (cursor !== null) args.push('--cursor', cursor);
      const out = JSON.parse((await ws.run(args)).stdout) as {
        events: Exported[];
        next_cursor: string | null;
      };
      expect(out.events.length).toBeLessThanOrEqual(10);
      seen.push(...out.events);
      cursor = out.next_cursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(seen).toHaveLength(29);
    expect(new Set(seen.map((e) => e.event_id)).size).toBe(29);
    const times = seen.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort());
  });
});

describe('events --types', () => {
  it('json: every type with its kind and count', async () => {
    const r = await ws.run(['events', '--types', '--format', 'json']);
    expect(JSON.parse(r.stdout)).toEqual([
      { type: 'task_end', kind: 'task', count: 13 },
      { type: 'task_start', kind: 'task', count: 13 },
      { type: 'review_end', kind: 'review', count: 2 },
      { type: 'review_start', kind: 'review', count: 2 },
      { type: 'error', kind: 'log', count: 1 },
    ]);
  });

  it('csv, filtered by session', async () => {
    const r = await ws.run(['events', '--types', '--session', 'sess_0216', '--format', 'csv']);
    expect(r.stdout).toBe(
      'type,kind,count\ntask_end,task,6\ntask_start,task,6\nreview_end,review,1\nreview_start,review,1\n',
    );
  });

  it('no types match: exit 1', async () => {
    const r = await ws.run(['events', '--types', '--model', 'nobody']);
    expect(r.code).toBe(1);
  });
});
