import { appendFileSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, uuid, type Workspace } from './helpers.js';
import { endEvent, goldenKpiLines, startEvent, TASKS, type TaskRow } from './kpi-fixture.js';

// Seed 003, section 8: idempotency via event_id. Re-running ingest reads only new lines, and
// nothing is ever counted twice.

let ws: Workspace;
let kpi: string;
beforeEach(() => {
  ws = createWorkspace();
  kpi = ws.write('.droid/kpis.jsonl', jsonl(goldenKpiLines()));
});
afterEach(() => ws.cleanup());

const task = (n: number) => TASKS[n] as TaskRow;
const resultLine = (stderr: string) => stderr.trimEnd().split('\n').at(-1) ?? '';
const totals = async () => {
  const r = await ws.run([
    'summary',
    '--since',
    '2026-02-01',
    '--until',
    '2026-02-28',
    '--format',
    'json',
  ]);
  const s = (JSON.parse(r.stdout) as { summary: Record<string, number> }).summary;
  return [s['total_tasks'], s['successful_tasks'], s['total_tokens']];
};

describe('ingest twice', () => {
  it('the second run stores 0 events and reports the file unchanged', async () => {
    expect((await ws.run(['ingest'])).code).toBe(2);
    const again = await ws.run(['ingest']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      /^ingested 0 events from 0 files \(0 B in \d+\.\d\d s\); 0 duplicates skipped; 0 lines rejected; 1 unchanged\n$/,
    );
    const json = JSON.parse((await ws.run(['ingest', '--json'])).stdout) as {
      inserted: number;
      files: { status: string; bytes_read: number }[];
    };
    expect(json.inserted).toBe(0);
    expect(json.files).toMatchObject([{ status: 'unchanged', bytes_read: 0 }]);
    expect((await ws.run(['events', '--count'])).stdout).toBe('31\n');
  });

  it('the summary is the same after any number of runs', async () => {
    await ws.run(['ingest']);
    const first = await totals();
    expect(first).toEqual([13, 12, 38_450]);
    await ws.run(['ingest']);
    await ws.run(['ingest', '.droid/kpis.jsonl']);
    expect(await totals()).toEqual(first);
  });
});

describe('appending to the file', () => {
  it('stores only the new lines; rejects are not reported again', async () => {
    await ws.run(['ingest']);
    const t13: TaskRow = {
      n: 13,
      model: 'swe-1-5',
      session: 'sess_0217',
      start: '2026-02-17T09:00:00Z',
      durationSeconds: 60,
      tokensIn: 100,
      tokensOut: 50,
      status: 'success',
    };
    appendFileSync(kpi, jsonl([startEvent(t13), endEvent(t13)]));
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain(':9:');
    expect(resultLine(r.stderr)).toMatch(
      /^ingested 2 events from 1 file \(\d+ B in .*\); 0 duplicates skipped; 0 lines rejected$/,
    );
    expect((await ws.run(['events', '--count'])).stdout).toBe('33\n');
    expect(await totals()).toEqual([14, 13, 38_600]);
  });

  it('a new bad line is reported with its line number in the whole file', async () => {
    await ws.run(['ingest']);
    appendFileSync(kpi, jsonl([startEvent(task(1)), '{"event_id":']));
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(2);
    expect(ws.rel(r.stderr)).toContain('.droid/kpis.jsonl:39: invalid JSON');
    expect(resultLine(r.stderr)).toMatch(
      /^ingested 0 events from 1 file .*; 1 duplicates skipped; 1 lines rejected$/,
    );
  });

  it('a last line without its newline waits, then is stored once complete', async () => {
    await ws.run(['ingest']);
    const t14: TaskRow = {
      n: 14,
      model: 'gemini-3-flash',
      session: 'sess_0217',
      start: '2026-02-17T10:00:00Z',
      durationSeconds: 30,
      tokensIn: 10,
      tokensOut: 5,
      status: 'success',
    };
    appendFileSync(kpi, JSON.stringify(startEvent(t14)));
    const partial = await ws.run(['ingest']);
    expect(partial.code).toBe(0);
    expect(ws.rel(partial.stderr)).toContain(
      '.droid/kpis.jsonl: the last line has no newline yet; it is read once the line is complete\n',
    );
    expect((await ws.run(['events', '--count'])).stdout).toBe('31\n');
    appendFileSync(kpi, '\n');
    const done = await ws.run(['ingest']);
    expect(resultLine(done.stderr)).toMatch(/^ingested 1 events from 1 file/);
    expect((await ws.run(['events', '--task', 'task_14', '--count'])).stdout).toBe('1\n');
  });
});

describe('the file replaced or copied', () => {
  it('a rewritten file is re-read from the start and ids prevent duplicates', async () => {
    await ws.run(['ingest']);
    writeFileSync(
      kpi,
      jsonl([
        startEvent(task(1)),
        endEvent(task(1)),
        {
          event_id: uuid(8000),
          event_type: 'task_start',
          timestamp: '2026-02-18T08:00:00Z',
          task_id: 'task_new',
        },
      ]),
    );
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /re-reading from the start: (it was truncated|its content changed|a new file replaced it) since the last ingest/,
    );
    expect(resultLine(r.stderr)).toMatch(
      /^ingested 1 events from 1 file .*; 2 duplicates skipped; 0 lines rejected$/,
    );
    expect((await ws.run(['events', '--count'])).stdout).toBe('32\n');
  });

  it('a copy of the file elsewhere adds nothing: every event is a duplicate', async () => {
    await ws.run(['ingest']);
    mkdirSync(join(ws.dir, 'backup'));
    copyFileSync(kpi, join(ws.dir, 'backup', 'kpis.jsonl'));
    const r = await ws.run(['ingest', '--json', 'backup/kpis.jsonl']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ inserted: 0, duplicates: 33, rejected: 4 });
    expect(await totals()).toEqual([13, 12, 38_450]);
  });
});
