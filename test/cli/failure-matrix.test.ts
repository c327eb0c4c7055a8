import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, type Workspace } from './helpers.js';
import { endEvent, startEvent, TASKS, type TaskRow } from './kpi-fixture.js';

// Seed 003, section 5: failure-matrix rows 1, 2, 3 and 5. Rows 4 and 8 (formats and schema)
// are in schema-rejects.test.ts, 6 in permissions.test.ts, 7 in disk-full.test.ts.

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.cleanup());

const task = (n: number) => TASKS[n] as TaskRow;
const resultLine = (stderr: string) => stderr.trimEnd().split('\n').at(-1) ?? '';

describe('row 1: KPI file not found', () => {
  it('with no path: warns, exits 0, and creates neither the file nor the store', async () => {
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'vigil: warning: no KPI file yet at .droid/kpis.jsonl (fine for a new setup)\n' +
        'nothing to ingest: no source file found (pass paths, or configure [[sources]])\n',
    );
    expect(existsSync(join(ws.dir, '.droid'))).toBe(false);
    expect(existsSync(join(ws.data, 'vigil.db'))).toBe(false);
  });

  it('with an explicit path that does not exist: names it and exits 3', async () => {
    const r = await ws.run(['ingest', 'nowhere/kpis.jsonl']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('vigil: error: nowhere/kpis.jsonl: not found\n');
    expect(existsSync(join(ws.dir, 'nowhere'))).toBe(false);
  });

  it('one missing path among good ones: the good file is stored, exit is still 3', async () => {
    ws.write('.droid/kpis.jsonl', jsonl([startEvent(task(1)), endEvent(task(1))]));
    const r = await ws.run(['ingest', '.droid/kpis.jsonl', 'missing.jsonl']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('vigil: error: missing.jsonl: not found\n');
    expect((await ws.run(['events', '--count'])).stdout).toBe('2\n');
  });

  it('summary before anything was ingested: warns and exits 0 with an empty summary', async () => {
    const r = await ws.run(['summary']);
    expect(r.code).toBe(0);
    expect(ws.rel(r.stderr)).toBe(
      'vigil: warning: nothing ingested yet into data; run `vigil ingest` first (an empty summary follows)\n',
    );
    expect(r.stdout).toContain('Total tasks:        0\nSuccess rate:       n/a\n');
  });
});

describe('row 2: malformed JSONL line', () => {
  it('skips the line, names file:LINE on stderr, ingests the next line, exits 2', async () => {
    ws.write(
      '.droid/kpis.jsonl',
      jsonl([
        startEvent(task(3)),
        '{"event_id": "550e8400-e29b-41d4',
        endEvent(task(3)),
        'not json at all',
      ]),
    );
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(2);
    const lines = ws.rel(r.stderr).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\.droid\/kpis\.jsonl:2: invalid JSON: /);
    expect(lines[1]).toMatch(/^\.droid\/kpis\.jsonl:4: invalid JSON: /);
    expect(resultLine(r.stderr)).toMatch(
      /^ingested 2 events from 1 file .*; 0 duplicates skipped; 2 lines rejected$/,
    );
    const stored = await ws.run(['events', '--task', 'task_03', '--format', 'jsonl']);
    expect(
      stored.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { source_line: number }).source_line),
    ).toEqual([1, 3]);
  });
});

describe('row 3: duplicate event_id', () => {
  it('is skipped and counted in the result line, not an error (exit 0)', async () => {
    ws.write(
      '.droid/kpis.jsonl',
      jsonl([
        startEvent(task(1)),
        endEvent(task(1)),
        startEvent(task(1)),
        endEvent(task(1)),
        endEvent(task(1)),
      ]),
    );
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error|warning/);
    expect(resultLine(r.stderr)).toMatch(
      /^ingested 2 events from 1 file .*; 3 duplicates skipped; 0 lines rejected$/,
    );
    expect((await ws.run(['events', '--count'])).stdout).toBe('2\n');
  });

  it('a reused id with a different body keeps the first body and says so', async () => {
    const changed = { ...endEvent(task(1)), tokens_input: 999_999 };
    ws.write('.droid/kpis.jsonl', jsonl([startEvent(task(1)), endEvent(task(1)), changed]));
    const r = await ws.run(['ingest', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      inserted: 2,
      duplicates: 1,
      conflicts: 1,
      rejected: 0,
    });
    const s = JSON.parse(
      (
        await ws.run([
          'summary',
          '--since',
          '2026-02-15',
          '--until',
          '2026-02-15',
          '--format',
          'json',
        ])
      ).stdout,
    ) as { summary: { tokens_input: number } };
    expect(s.summary.tokens_input).toBe(1500);
  });

  it('the text report names the conflicts', async () => {
    ws.write(
      '.droid/kpis.jsonl',
      jsonl([endEvent(task(2)), { ...endEvent(task(2)), status: 'failure' }]),
    );
    const r = await ws.run(['ingest']);
    expect(resultLine(r.stderr)).toMatch(
      /; 1 duplicates skipped \(1 with a different body\); 0 lines rejected$/,
    );
  });
});

describe('row 5: no events in range', () => {
  beforeEach(async () => {
    ws.write('.droid/kpis.jsonl', jsonl([startEvent(task(1)), endEvent(task(1))]));
    expect((await ws.run(['ingest'])).code).toBe(0);
  });

  it('summary prints "No data for period" and exits 1', async () => {
    const r = await ws.run(['summary', '--since', '2026-03-01', '--until', '2026-03-07']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No data for period 2026-03-01 to 2026-03-07\n');
  });

  it('summary --format json still prints an empty summary, exit 1', async () => {
    const r = await ws.run([
      'summary',
      '--since',
      '2026-03-01',
      '--until',
      '2026-03-07',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      period: { start: '2026-03-01', end: '2026-03-07' },
      summary: { total_tasks: 0, success_rate: null, total_tokens: 0 },
    });
  });

  it('a model with no data in range is also "No data", exit 1', async () => {
    const r = await ws.run([
      'summary',
      '--since',
      '2026-02-15',
      '--until',
      '2026-02-15',
      '--model',
      'swe-1-5',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('No data for period 2026-02-15 to 2026-02-15 (model swe-1-5)\n');
  });

  it('export of an empty range: exit 1, empty events', async () => {
    const r = await ws.run(['export', '--since', '2026-03-01', '--until', '2026-03-07']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('No data for period\n');
    expect((JSON.parse(r.stdout) as { events: unknown[] }).events).toEqual([]);
  });
});
