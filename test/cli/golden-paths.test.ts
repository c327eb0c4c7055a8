import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, parseCsv, type RunResult, type Workspace } from './helpers.js';
import { goldenKpiLines, PRICES_TOML } from './kpi-fixture.js';

// Seed 003, section 4: golden paths over a realistic .droid/kpis.jsonl (see kpi-fixture.ts for
// how every expected number below was worked out by hand).

const todayUtc = () => new Date().toISOString().slice(0, 10);

let ws: Workspace;
let ingest: RunResult;

beforeAll(async () => {
  ws = createWorkspace();
  ws.write('.droid/kpis.jsonl', jsonl(goldenKpiLines()));
  ws.write('vigil.toml', PRICES_TOML);
  ingest = await ws.run(['ingest']);
});
afterAll(() => ws.cleanup());

describe('ingest of the KPI file at the default path', () => {
  it('reports every bad line as file:line: reason, stores the rest, exits 2', () => {
    expect(ingest.code).toBe(2);
    expect(ingest.stdout).toBe('');
    const lines = ws.rel(ingest.stderr).trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '.droid/kpis.jsonl:9: invalid JSON: Unterminated string in JSON at position 46',
      '.droid/kpis.jsonl:20: status: expected one of success, failure, timeout',
      '.droid/kpis.jsonl:27: event_id: expected a UUID such as 550e8400-e29b-41d4-a716-446655440001',
      '.droid/kpis.jsonl:35: event_type: expected one of task_start, task_end, review_start, review_end, error',
    ]);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(
      /^ingested 31 events from 1 file \(7\.2 KiB in \d+\.\d\d s\); 2 duplicates skipped; 4 lines rejected$/,
    );
  });

  it('stored exactly the 31 distinct valid events', async () => {
    const r = await ws.run(['events', '--count']);
    expect([r.code, r.stdout]).toEqual([0, '31\n']);
  });
});

describe('golden path 1: summary --since 2026-02-10 --until 2026-02-16', () => {
  const args = ['summary', '--since', '2026-02-10', '--until', '2026-02-16'];

  it('prints the 3.D table: totals, rate, duration, tokens, cost', async () => {
    const r = await ws.run(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const [head] = r.stdout.split('\nBy Model:\n');
    expect(head).toBe(
      [
        'KPI Summary (2026-02-10 to 2026-02-16)',
        '======================================',
        'Total tasks:        12',
        'Success rate:       91.7%',
        'Avg duration:       2.5 min',
        'Total tokens:       28,450',
        '  - Input:          20,400',
        '  - Output:         8,050',
        'Cost estimate:      $4.03',
        '',
      ].join('\n'),
    );
  });

  it('lists the models by task count with their success rate', async () => {
    const r = await ws.run(args);
    const byModel = r.stdout.split('\nBy Model:\n')[1] ?? '';
    const compact = byModel
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' '));
    expect(compact).toEqual([
      ' gpt-5.3-codex: 6 tasks, 100% success',
      ' swe-1-5: 4 tasks, 75% success',
      ' gemini-3-flash: 2 tasks, 100% success',
    ]);
  });

  it('aligns the per-model values in the column of 3.D (the same three model names as the seed)', async () => {
    // Seed 003 3.D: "  gpt-5.3-codex:    28 tasks", "  swe-1-5:          12 tasks",
    // "  gemini-3-flash:   7 tasks": values start at column 21, like the rows above them.
    const r = await ws.run(args);
    expect(r.stdout.split('\nBy Model:\n')[1]).toBe(
      [
        '  gpt-5.3-codex:    6 tasks, 100% success',
        '  swe-1-5:          4 tasks, 75% success',
        '  gemini-3-flash:   2 tasks, 100% success',
        '',
      ].join('\n'),
    );
  });

  it('--since alone (the seed command) leaves out the task of 2026-02-09 and ends today', async () => {
    const before = todayUtc();
    const r = await ws.run(['summary', '--since', '2026-02-10', '--format', 'json']);
    const out = JSON.parse(r.stdout) as {
      period: { start: string; end: string };
      summary: Record<string, unknown>;
    };
    expect(r.code).toBe(0);
    expect(out.period.start).toBe('2026-02-10');
    expect([before, todayUtc()]).toContain(out.period.end);
    expect(out.summary['total_tasks']).toBe(12);
  });

  it('--format json: .summary has the exact totals (success_rate rounded to 3 decimals)', async () => {
    const r = await ws.run([...args, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      period: unknown;
      summary: Record<string, unknown>;
      by_model: Record<string, unknown>[];
    };
    expect(out.period).toEqual({ start: '2026-02-10', end: '2026-02-16' });
    expect(out.summary).toEqual({
      total_tasks: 12,
      success_rate: 0.917,
      total_tokens: 28450,
      tokens_input: 20400,
      tokens_output: 8050,
      tokens_cache_read: 0,
      tokens_cache_write: 0,
      avg_duration_seconds: 152.5,
      cost_estimate_usd: 4.033,
      cost_reported_usd: 0,
      ended_tasks: 12,
      successful_tasks: 11,
      failed_tasks: 1,
      timed_out_tasks: 0,
      incomplete_tasks: 0,
      unpriced_models: [],
    });
    expect(
      out.by_model.map((m) => [
        m['model'],
        m['tasks'],
        m['success_rate'],
        m['avg_duration_seconds'],
        m['tokens_input'],
        m['tokens_output'],
        m['cost_estimate_usd'],
      ]),
    ).toEqual([
      ['gpt-5.3-codex', 6, 1, 160, 12100, 5350, 3.35],
      ['swe-1-5', 4, 0.75, 142.5, 5900, 1600, 0.615],
      ['gemini-3-flash', 2, 1, 150, 2400, 1100, 0.068],
    ]);
  });

  it('--format csv: one row per model plus TOTAL', async () => {
    const r = await ws.run([...args, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'model,tasks,success_rate,successful_tasks,failed_tasks,timed_out_tasks,incomplete_tasks,avg_duration_seconds,tokens_input,tokens_output,tokens_cache_read,tokens_cache_write,cost_estimate_usd,cost_reported_usd',
        'gpt-5.3-codex,6,1,6,0,0,0,160,12100,5350,0,0,3.35,0',
        'swe-1-5,4,0.75,3,1,0,0,142.5,5900,1600,0,0,0.615,0',
        'gemini-3-flash,2,1,2,0,0,0,150,2400,1100,0,0,0.068,0',
        'TOTAL,12,0.917,11,1,0,0,152.5,20400,8050,0,0,4.033,0',
        '',
      ].join('\n'),
    );
  });

  it('--model narrows every figure to that model', async () => {
    const r = await ws.run([...args, '--model', 'swe-1-5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Total tasks:        4\nSuccess rate:       75.0%\nAvg duration:       2.4 min\nTotal tokens:       7,500\n',
    );
    expect(r.stdout).not.toContain('gpt-5.3-codex');
  });
});

const EXPORT_FIELDS = [
  'event_id',
  'event_type',
  'kind',
  'timestamp',
  'task_id',
  'session_id',
  'phase',
  'agent_role',
  'model',
  'status',
  'duration_seconds',
  'tokens_input',
  'tokens_output',
  'tokens_cache_read',
  'tokens_cache_write',
  'cost_usd',
  'error_message',
  'source_adapter',
  'source_file',
  'source_line',
  'attrs',
];

describe('golden path 2: export --format json --since 2026-02-15', () => {
  it('has period, summary (12 tasks, 0.917, 28450 tokens) and the 29 events of the period', async () => {
    const before = todayUtc();
    const r = await ws.run(['export', '--format', 'json', '--since', '2026-02-15']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      period: { start: string; end: string };
      summary: Record<string, unknown>;
      events: Record<string, unknown>[];
    };
    expect(Object.keys(out)).toEqual(['period', 'summary', 'by_model', 'events']);
    expect(out.period.start).toBe('2026-02-15');
    expect([before, todayUtc()]).toContain(out.period.end);
    expect(out.summary).toMatchObject({
      total_tasks: 12,
      success_rate: 0.917,
      total_tokens: 28450,
    });
    expect(out.events).toHaveLength(29);
    const times = out.events.map((e) => e['timestamp'] as string);
    expect(times).toEqual([...times].sort());
    expect(times[0]).toBe('2026-02-15T09:00:00.000Z');
    for (const e of out.events) expect(Object.keys(e)).toEqual(EXPORT_FIELDS);
    expect(
      out.events.find((e) => e['task_id'] === 'task_01' && e['event_type'] === 'task_end'),
    ).toMatchObject({
      timestamp: '2026-02-15T09:02:30.000Z',
      status: 'success',
      duration_seconds: 150,
      tokens_input: 1500,
      tokens_output: 800,
      source_line: 4,
    });
  });

  it('with --until 2026-02-16 the period is exactly the seed one', async () => {
    const r = await ws.run([
      'export',
      '--format',
      'json',
      '--since',
      '2026-02-15',
      '--until',
      '2026-02-16',
    ]);
    const out = JSON.parse(r.stdout) as { period: unknown; events: unknown[] };
    expect(out.period).toEqual({ start: '2026-02-15', end: '2026-02-16' });
    expect(out.events).toHaveLength(29);
  });
});

describe('export --format csv', () => {
  it('writes the header and one row per event; a formula in error_message is prefixed with a quote', async () => {
    const r = await ws.run(['export', '--format', 'csv', '--since', '2026-02-15']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(EXPORT_FIELDS.join(','));
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(EXPORT_FIELDS);
    expect(rows).toHaveLength(29);
    const col = (name: string) => EXPORT_FIELDS.indexOf(name);
    const failed = rows.filter(
      (row) => row[col('status')] === 'failure' && row[col('event_type')] === 'task_end',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]?.[col('error_message')]).toBe("'=cmd()");
    expect(rows.every((row) => !/^[=+@]/.test(row[col('error_message')] ?? ''))).toBe(true);
  });

  it('-o writes the same bytes to a file and says how many events', async () => {
    const stdout = await ws.run([
      'export',
      '--format',
      'csv',
      '--since',
      '2026-02-15',
      '--until',
      '2026-02-16',
    ]);
    const r = await ws.run([
      'export',
      '--format',
      'csv',
      '--since',
      '2026-02-15',
      '--until',
      '2026-02-16',
      '-o',
      'kpis.csv',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote 29 events \([\d,]+ bytes\) to kpis\.csv\n$/);
    expect(readFileSync(join(ws.dir, 'kpis.csv'), 'utf8')).toBe(stdout.stdout);
  });
});
