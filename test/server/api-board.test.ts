/**
 * Seed 004's dashboard API: /api/tasks (the Kanban board from task files in
 * inbox/assigned/done, moves included) and /api/stats (board counts and costs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { parseCsv } from '../cli/helpers.js';
import { startTestHub, type TestHub } from './harness.js';

const BOARD = resolve(import.meta.dirname, '../fixtures/board/work/collaboration');
const COLUMNS = ['inbox', 'assigned', 'done'] as const;
const DAY = 86_400_000;

interface TaskFile {
  column: (typeof COLUMNS)[number];
  rel: string;
  text: string;
  fields: Record<string, unknown>;
  id: string;
}

const taskFiles: TaskFile[] = COLUMNS.flatMap((column) =>
  readdirSync(join(BOARD, column)).map((name) => {
    const text = readFileSync(join(BOARD, column, name), 'utf8');
    const fields = parse(text) as Record<string, unknown>;
    return {
      column,
      rel: `work/collaboration/${column}/${name}`,
      text,
      fields,
      id: String(fields['id'] ?? basename(name, extname(name))),
    };
  }),
);

/** Today 00:00 UTC: inside "today", "the last 7 days" and "the last 30 days" whenever run. */
const todayStart = Math.floor(Date.now() / DAY) * DAY;
const kpi = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    files: {
      ...Object.fromEntries(taskFiles.map((f) => [f.rel, f.text])),
      '.droid/kpis.jsonl': readFileSync(
        resolve(import.meta.dirname, '../fixtures/kpi/kpis.jsonl'),
        'utf8',
      ),
      'recent/.droid/kpis.jsonl': kpi([
        {
          event_id: '6a1f0000-0000-4000-8000-000000000001',
          event_type: 'task_start',
          timestamp: new Date(todayStart).toISOString(),
          task_id: 'today-1',
          model: 'gpt-5',
        },
        {
          event_id: '6a1f0000-0000-4000-8000-000000000002',
          event_type: 'task_end',
          timestamp: new Date(todayStart).toISOString(),
          task_id: 'today-1',
          tokens_input: 1000,
          tokens_output: 100,
          duration_seconds: 60,
          status: 'success',
        },
      ]),
    },
  });
});
afterAll(async () => {
  await hub.close();
});

interface BoardTask {
  task_id: string;
  column: string;
  title: string | null;
  status: string | null;
  board_status: string | null;
  priority: string | null;
  tags: string[];
  model: string | null;
  updated_at: string;
}
interface Board {
  counts: Record<string, number>;
  inbox: BoardTask[];
  assigned: BoardTask[];
  done: BoardTask[];
}

const board = async () => {
  const res = await hub.fetch('/api/tasks');
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Board;
};

describe('GET /api/tasks', () => {
  it('places every task file in its column with its latest state', async () => {
    const b = await board();
    for (const column of COLUMNS) {
      const files = taskFiles.filter((f) => f.column === column);
      expect(b.counts[column]).toBe(files.length);
      expect(b[column].map((t) => t.task_id).sort()).toEqual(files.map((f) => f.id).sort());
      for (const f of files) {
        const t = b[column].find((x) => x.task_id === f.id) as BoardTask;
        expect(t.column).toBe(column);
        expect(t.title).toBe(f.fields['title']);
        expect(t.board_status).toBe(f.fields['status']);
        expect(t.priority).toBe(f.fields['priority']);
        const tags = f.fields['tags'];
        expect(t.tags).toEqual(Array.isArray(tags) ? tags : [tags]);
        expect(t.model).toBe(f.fields['model'] ?? null);
      }
    }
    expect(b.counts['total']).toBe(taskFiles.length);
    // In done, a `failed` task file is a failure, the others success.
    expect(b.done.map((t) => [t.task_id, t.status]).sort()).toEqual(
      taskFiles
        .filter((f) => f.column === 'done')
        .map((f) => [f.id, f.fields['status'] === 'failed' ? 'failure' : 'success'])
        .sort(),
    );
    // Most recently changed first: the assigned column by assignment time.
    expect(b.assigned.map((t) => t.task_id)).toEqual([
      '2026-02-05T0800-backend-dev-sqlite-index',
      '2026-02-04T1500-frontend-kanban-filters',
    ]);
  });

  it('follows a task moved to another column', async () => {
    const moved = taskFiles.find(
      (f) => f.id === '2026-02-05T0912-backend-dev-retry-budget',
    ) as TaskFile;
    await hub.ingest([
      hub.write(
        'work/collaboration/assigned/2026-02-05T0912-backend-dev-retry-budget.yaml',
        `${moved.text}assigned_at: 2026-02-06T10:00:00Z\n`,
      ),
    ]);
    const b = await board();
    expect(b.inbox.map((t) => t.task_id)).not.toContain(moved.id);
    expect(b.assigned[0]).toMatchObject({
      task_id: moved.id,
      column: 'assigned',
      updated_at: '2026-02-06T10:00:00.000Z',
    });
    expect(b.counts).toEqual({ inbox: 2, assigned: 3, done: 3, total: 8 });
  });

  it('exports the board as CSV, one row per task', async () => {
    const res = await hub.fetch('/api/tasks?format=csv');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(await res.text());
    expect(rows[0]?.slice(0, 3)).toEqual(['task_id', 'column', 'title']);
    expect(rows).toHaveLength(1 + taskFiles.length);
    const done = parseCsv(await (await hub.fetch('/api/tasks?format=csv&column=done')).text());
    expect(done.slice(1).every((r) => r[1] === 'done')).toBe(true);
    expect(done).toHaveLength(1 + 3);
    expect((await hub.fetch('/api/tasks?column=doing')).status).toBe(400);
  });
});

describe('GET /api/stats', () => {
  interface CostWindow {
    tasks: number;
    tokens_input: number;
    tokens_output: number;
    cost_estimate_usd: number;
    cost_reported_usd: number;
    unpriced_models: string[];
  }

  it('reports board counts and costs today, over 7 and 30 days, all time and per model', async () => {
    const res = await hub.fetch('/api/stats');
    expect(res.status).toBe(200);
    const s = (await res.json()) as {
      tasks: Record<string, number>;
      costs: Record<'today' | 'last_7_days' | 'last_30_days' | 'all_time', CostWindow>;
      models: {
        model: string | null;
        tasks: number;
        tokens_input: number;
        cost_estimate_usd: number | null;
      }[];
    };
    const b = await board();
    expect(s.tasks).toEqual({ ...b.counts, done_success: 2, done_failure: 1 });
    // Today's task: gpt-5 at $1.25 in / $10 out per million tokens.
    const todayCost = Number(((1000 * 1.25 + 100 * 10) / 1e6).toFixed(6));
    for (const w of ['today', 'last_7_days', 'last_30_days'] as const) {
      expect(s.costs[w]).toMatchObject({
        tasks: 1,
        tokens_input: 1000,
        tokens_output: 100,
        cost_estimate_usd: todayCost,
        unpriced_models: [],
      });
    }
    // All time adds the KPI fixture's task: gpt-5.3-codex, 1500 in / 800 out, unpriced.
    expect(s.costs.all_time).toMatchObject({
      tasks: 2,
      tokens_input: 2500,
      tokens_output: 900,
      cost_estimate_usd: todayCost,
      cost_reported_usd: 0,
      unpriced_models: ['gpt-5.3-codex'],
    });
    expect(s.models).toEqual([
      {
        model: 'gpt-5',
        tasks: 1,
        tokens_input: 1000,
        tokens_output: 100,
        cost_estimate_usd: todayCost,
        cost_reported_usd: 0,
      },
    ]);
  });
});
