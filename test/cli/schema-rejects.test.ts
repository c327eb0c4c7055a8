import { readFileSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, uuid, type Workspace } from './helpers.js';
import { endEvent, startEvent, TASKS, type TaskRow } from './kpi-fixture.js';

// Seed 003, section 5: failure-matrix rows 4 (token log format change) and 8 (schema
// validation failure): the line and the field are named, the line skipped and counted, exit 2.

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.cleanup());

const task = (n: number) => TASKS[n] as TaskRow;
const resultLine = (stderr: string) => stderr.trimEnd().split('\n').at(-1) ?? '';

describe('row 4: token log format change', () => {
  it('a .droid_token_usage.jsonl line without input_tokens: names the field, exits 2, keeps the others', async () => {
    ws.write(
      'scripts/.droid_token_usage.jsonl',
      jsonl([
        {
          timestamp: '2026-02-16T14:30:12.482913',
          model: 'gpt-5.3-codex',
          input_tokens: 3412,
          output_tokens: 1876,
          request_id: 'req_1',
        },
        {
          timestamp: '2026-02-16T14:31:40.100000',
          model: 'gpt-5.3-codex',
          prompt: 1200,
          output_tokens: 300,
          request_id: 'req_2',
        },
        {
          timestamp: '2026-02-16T14:33:01.000000',
          model: 'swe-1-5',
          input_tokens: 640,
          output_tokens: 91,
          request_id: 'req_3',
        },
        {
          timestamp: '2026-02-16T14:34:00.000000',
          model: 'swe-1-5',
          input_tokens: 10,
          request_id: 'req_4',
        },
      ]),
    );
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(2);
    expect(ws.rel(r.stderr)).toContain(
      'scripts/.droid_token_usage.jsonl:2: input_tokens: required field is missing\n',
    );
    expect(ws.rel(r.stderr)).toContain(
      'scripts/.droid_token_usage.jsonl:4: output_tokens: required field is missing\n',
    );
    expect(resultLine(r.stderr)).toMatch(/^ingested 2 events from 1 file .*; 2 lines rejected$/);
    const s = JSON.parse(
      (
        await ws.run([
          'summary',
          '--since',
          '2026-02-16',
          '--until',
          '2026-02-16',
          '--format',
          'json',
        ])
      ).stdout,
    ) as { summary: Record<string, number> };
    expect([
      s.summary['tokens_input'],
      s.summary['tokens_output'],
      s.summary['total_tokens'],
    ]).toEqual([4052, 1967, 6019]);
  });
});

describe('row 8: schema validation failure', () => {
  it('logs each invalid event with its line and field, skips it, counts it, exits 2', async () => {
    const base = { timestamp: '2026-02-16T10:00:00Z', task_id: 'task_x' };
    ws.write(
      '.droid/kpis.jsonl',
      jsonl([
        startEvent(task(8)),
        { ...base, event_id: uuid(701), event_type: 'task_end', status: 'ok' },
        { ...base, event_id: 'task-1-end', event_type: 'task_end' },
        { ...base, event_id: uuid(703), event_type: 'deploy' },
        { event_id: uuid(704), event_type: 'task_start', timestamp: '2026-02-16T10:00:00Z' },
        { ...base, event_id: uuid(705), event_type: 'task_end', tokens_input: 1.5 },
        { ...base, event_id: uuid(706), event_type: 'task_end', timestamp: 'yesterday' },
        endEvent(task(8)),
      ]),
    );
    const r = await ws.run(['ingest']);
    expect(r.code).toBe(2);
    expect(ws.rel(r.stderr).trimEnd().split('\n').slice(0, 6)).toEqual([
      '.droid/kpis.jsonl:2: status: expected one of success, failure, timeout',
      '.droid/kpis.jsonl:3: event_id: expected a UUID such as 550e8400-e29b-41d4-a716-446655440001',
      '.droid/kpis.jsonl:4: event_type: expected one of task_start, task_end, review_start, review_end, error',
      '.droid/kpis.jsonl:5: task_id: required field is missing',
      '.droid/kpis.jsonl:6: tokens_input: expected an integer',
      '.droid/kpis.jsonl:7: timestamp: expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z',
    ]);
    expect(resultLine(r.stderr)).toMatch(
      /^ingested 2 events from 1 file .*; 0 duplicates skipped; 6 lines rejected$/,
    );
    expect((await ws.run(['events', '--count'])).stdout).toBe('2\n');
  });

  it('--json counts the rejects by reason', async () => {
    ws.write(
      '.droid/kpis.jsonl',
      jsonl([
        {
          event_id: uuid(1),
          event_type: 'deploy',
          timestamp: '2026-02-16T10:00:00Z',
          task_id: 't',
        },
        {
          event_id: uuid(2),
          event_type: 'task_end',
          timestamp: '2026-02-16T10:00:00Z',
          task_id: 't',
          status: 'ok',
        },
        '{',
      ]),
    );
    const r = await ws.run(['ingest', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      inserted: 0,
      rejected: 3,
      rejects_by_reason: { unknown_type: 1, schema: 1, invalid_json: 1 },
    });
  });

  it('never modifies the source file', async () => {
    const text = jsonl([startEvent(task(1)), '{"broken', endEvent(task(1))]);
    const file = ws.write('.droid/kpis.jsonl', text);
    await ws.run(['ingest']);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
