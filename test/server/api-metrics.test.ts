/**
 * Seed 001's metrics routes over WVO state files and VibeForge logs ingested through the real
 * pipeline: task execution (and its paginated drill-down), quality gates, resolution loops,
 * resources, the raw usage snapshot and the CSV exports.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../cli/helpers.js';
import { getJson, startTestHub, type TestHub } from './harness.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const text = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');
const FILES = [
  'wvo/state/analytics/task_events.jsonl',
  'wvo/state/analytics/quality_gate_decisions.jsonl',
  'wvo/state/analytics/resolution_metrics.json',
  'wvo/state/limits/usage_log.json',
  'wvo/state/telemetry/operations.jsonl',
  'vibeforge/workspaces/sess_20260216_a1/events.jsonl',
  'vibeforge/workspaces/sess_20260216_b7/events.jsonl',
];

const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Two more WVO tasks: one still queued, one queued then running. */
const QUEUE = jsonl([
  {
    record: 'task',
    task_id: 'T7.0.1',
    roadmap_id: 'PHASE-9',
    epic_id: 'E1',
    title: 'Queued work',
    state: 'queued',
    timestamp: '2026-02-16T09:00:00Z',
  },
  {
    record: 'task',
    task_id: 'T7.0.2',
    roadmap_id: 'PHASE-9',
    epic_id: 'E1',
    state: 'queued',
    timestamp: '2026-02-16T09:01:00Z',
  },
  {
    record: 'task',
    task_id: 'T7.0.2',
    roadmap_id: 'PHASE-9',
    epic_id: 'E1',
    state: 'running',
    timestamp: '2026-02-16T09:02:00Z',
    agent: 'worker-3',
  },
]);

/** 45 finished tasks of one roadmap, a minute apart on 2026-03-02: enough for several pages. */
const MANY = jsonl(
  Array.from({ length: 45 }, (_, i) => [
    {
      record: 'task',
      task_id: `M${String(i).padStart(2, '0')}`,
      roadmap_id: 'BULK',
      epic_id: `E${i % 3}`,
      state: 'queued',
      timestamp: new Date(Date.UTC(2026, 2, 2, 8, i)).toISOString(),
    },
    {
      record: 'task',
      task_id: `M${String(i).padStart(2, '0')}`,
      roadmap_id: 'BULK',
      epic_id: `E${i % 3}`,
      state: i % 5 === 0 ? 'failed' : 'done',
      timestamp: new Date(Date.UTC(2026, 2, 2, 10, i)).toISOString(),
    },
  ]).flat(),
);

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    files: {
      ...Object.fromEntries(FILES.map((f) => [f, text(f)])),
      'wvo/state/analytics/queue.jsonl': QUEUE,
      'bulk/state/analytics/many.jsonl': MANY,
    },
  });
});
afterAll(async () => {
  await hub.close();
});

const get = <T>(path: string) => getJson<T>(hub, path);

const FEB = 'since=2026-02-15&until=2026-02-17';

interface TaskRow {
  task_id: string;
  state: string;
  retries: number;
  roadmap_id: string | null;
  epic_id: string | null;
  last_seen_at: string;
  tokens_input: number;
  cost_reported_usd: number | null;
}
interface TaskMetrics {
  tasks: number;
  queue_depth: number;
  in_progress: number;
  ended: number;
  by_state: Record<string, number>;
  throughput: { ended_last_hour: number; per_hour: number; window_hours: number };
  rates: { success: number | null; failure: number | null; retry: number | null };
  avg_duration_seconds: number | null;
  roadmap: {
    roadmap_id: string | null;
    epic_id: string | null;
    tasks: number;
    queued: number;
    in_progress: number;
    succeeded: number;
    failed: number;
    other_ended: number;
  }[];
  drilldown: { total: number; rows: TaskRow[]; next_cursor: string | null };
}

describe('GET /api/metrics/tasks', () => {
  it('counts queue depth, states, throughput and rates over the window', async () => {
    // WVO: T6.2.1 retried then done, T6.3.4 failed, T7.0.1 queued, T7.0.2 running.
    // VibeForge a1: task_001 done, task_002 retried then done, task_003 failed, task_004
    // skipped; b7: task_101 failed.
    const m = await get<TaskMetrics>(`/api/metrics/tasks?${FEB}`);
    expect(m.tasks).toBe(9);
    expect(m.queue_depth).toBe(1);
    expect(m.in_progress).toBe(1);
    expect(m.ended).toBe(7);
    expect(m.by_state).toMatchObject({
      queued: 1,
      started: 1,
      success: 3,
      failure: 3,
      skipped: 1,
      retrying: 0,
    });
    expect(Object.values(m.by_state).reduce((s, n) => s + n, 0)).toBe(9);
    expect(m.rates).toEqual({
      success: Number((3 / 7).toFixed(6)),
      failure: Number((3 / 7).toFixed(6)),
      retry: Number((2 / 8).toFixed(6)),
    });
    expect(m.throughput.window_hours).toBe(72);
    expect(m.throughput.per_hour).toBe(Number((7 / 72).toFixed(6)));
    expect(m.throughput.ended_last_hour).toBe(0);
    expect(m.roadmap).toEqual([
      {
        roadmap_id: 'PHASE-8',
        epic_id: 'E6',
        tasks: 2,
        queued: 0,
        in_progress: 0,
        succeeded: 1,
        failed: 1,
        other_ended: 0,
      },
      {
        roadmap_id: 'PHASE-9',
        epic_id: 'E1',
        tasks: 2,
        queued: 1,
        in_progress: 1,
        succeeded: 0,
        failed: 0,
        other_ended: 0,
      },
      {
        roadmap_id: null,
        epic_id: null,
        tasks: 5,
        queued: 0,
        in_progress: 0,
        succeeded: 2,
        failed: 2,
        other_ended: 1,
      },
    ]);
    const byId = new Map(m.drilldown.rows.map((r) => [r.task_id, r]));
    expect(byId.get('T6.2.1')).toMatchObject({
      state: 'success',
      retries: 1,
      tokens_input: 18234 + 9120,
      cost_reported_usd: 0.143,
    });
    expect(byId.get('task_002')).toMatchObject({ state: 'success', retries: 1 });
    expect(byId.get('task_004')).toMatchObject({ state: 'skipped', retries: 0 });
  });

  it('counts tasks that ended in the last hour of the window', async () => {
    // Ended between 09:06 and 10:06: T6.2.1 (09:31), T6.3.4 (10:05) and the four a1 tasks.
    const m = await get<TaskMetrics>(
      '/api/metrics/tasks?since=2026-02-16T09:00:00Z&until=2026-02-16T10:06:00Z',
    );
    expect(m.throughput.ended_last_hour).toBe(6);
    expect(m.ended).toBe(6);
  });

  it('pages through the drill-down, most recently active first, with no gaps or repeats', async () => {
    const window = 'since=2026-03-02&until=2026-03-03';
    const seen: TaskRow[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const m: TaskMetrics = await get<TaskMetrics>(
        `/api/metrics/tasks?${window}&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(m.drilldown.total).toBe(45);
      seen.push(...m.drilldown.rows);
      cursor = m.drilldown.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(5);
    const expected = Array.from({ length: 45 }, (_, i) => `M${String(44 - i).padStart(2, '0')}`);
    expect(seen.map((r) => r.task_id)).toEqual(expected);
    const failed = await get<TaskMetrics>(`/api/metrics/tasks?${window}&state=failure&limit=500`);
    expect(failed.drilldown.rows.map((r) => r.task_id)).toEqual([
      'M40',
      'M35',
      'M30',
      'M25',
      'M20',
      'M15',
      'M10',
      'M05',
      'M00',
    ]);
    const epic = await get<TaskMetrics>(
      `/api/metrics/tasks?${window}&roadmap=BULK&epic=E1&limit=500`,
    );
    expect(epic.drilldown.total).toBe(15);
    expect(epic.drilldown.rows.every((r) => r.epic_id === 'E1')).toBe(true);
  });

  it('exports the whole drill-down as CSV, and the counts per state', async () => {
    const res = await hub.fetch('/api/metrics/tasks?since=2026-03-02&until=2026-03-03&format=csv');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(await res.text());
    expect(rows[0]?.slice(0, 5)).toEqual(['task_id', 'title', 'roadmap_id', 'epic_id', 'state']);
    expect(rows).toHaveLength(46);

    const states = parseCsv(await (await hub.fetch(`/api/metrics/export/tasks?${FEB}`)).text());
    expect(states[0]).toEqual(['state', 'count']);
    const counts = Object.fromEntries(states.slice(1).map(([s, n]) => [s, Number(n)]));
    expect(counts).toMatchObject({
      queued: 1,
      started: 1,
      success: 3,
      failure: 3,
      skipped: 1,
      timeout: 0,
    });
    expect(states).toHaveLength(1 + 11);
  });

  it.each([
    ['since=soon', 'since'],
    ['state=finished', 'state'],
    ['limit=0', 'limit'],
    ['cursor=bm9wZQ', 'cursor'],
    ['since=2026-02-17&until=2026-02-16', 'since'],
  ])('%s is a 400 naming %s', async (query, param) => {
    const res = await hub.fetch(`/api/metrics/tasks?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(param);
  });
});

describe('GET /api/metrics/quality_gates', () => {
  interface Gates {
    decisions: number;
    approved: number;
    rejected: number;
    warned: number;
    approval_rate: number | null;
    consensus: {
      average: number | null;
      scored: number;
      quorum_satisfied: number;
      quorum_missed: number;
    };
    gates: {
      gate: string;
      decisions: number;
      approved: number;
      rejected: number;
      avg_consensus: number | null;
    }[];
    rubric: { criterion: string; average: number; min: number; max: number; count: number }[];
    history: { gate: string; decision: string; at: string }[];
    history_total: number;
  }

  it('counts decisions, consensus, gates and rubric averages (VibeForge follow-ups counted once)', async () => {
    // WVO: tests rejected 0.33, tests approved 1, review approved 0.67, security rejected 0.5.
    // VibeForge: no_secrets passed, dependency_allowlist warned, no_network_in_tests blocked
    // (its gate_warned and gate_blocked repeat two of those).
    const g = await get<Gates>(`/api/metrics/quality_gates?${FEB}&limit=2`);
    expect(g).toMatchObject({
      decisions: 7,
      approved: 3,
      rejected: 3,
      warned: 1,
      approval_rate: 0.5,
    });
    expect(g.consensus).toEqual({
      average: 0.625,
      scored: 4,
      quorum_satisfied: 3,
      quorum_missed: 1,
    });
    expect(g.gates.find((x) => x.gate === 'tests')).toMatchObject({
      decisions: 2,
      approved: 1,
      rejected: 1,
      avg_consensus: 0.665,
    });
    expect(g.gates.map((x) => x.gate).sort()).toEqual([
      'policy.dependency_allowlist',
      'policy.no_network_in_tests',
      'policy.no_secrets',
      'review',
      'security',
      'tests',
    ]);
    expect(g.rubric).toEqual([
      { criterion: 'correctness', average: 3.5, min: 2.5, max: 4.5, count: 2 },
      { criterion: 'coverage', average: 3.5, min: 3, max: 4, count: 2 },
      { criterion: 'design', average: 3.5, min: 3.5, max: 3.5, count: 1 },
      { criterion: 'readability', average: 4, min: 4, max: 4, count: 1 },
      { criterion: 'risk', average: 2, min: 2, max: 2, count: 1 },
      { criterion: 'style', average: 4.25, min: 4, max: 4.5, count: 2 },
    ]);
    expect(g.history_total).toBe(7);
    expect(g.history.map((h) => [h.gate, h.decision])).toEqual([
      ['security', 'rejected'],
      ['review', 'approved'],
    ]);
  });

  it('exports every decision of the window as CSV', async () => {
    const rows = parseCsv(
      await (await hub.fetch(`/api/metrics/quality_gates?${FEB}&format=csv`)).text(),
    );
    expect(rows[0]?.slice(0, 5)).toEqual(['event_id', 'at', 'task_id', 'gate', 'decision']);
    expect(rows).toHaveLength(8);
  });
});

describe('GET /api/metrics/resolution and its export', () => {
  interface Loop {
    loop_id: string;
    status: string;
    attempt_count: number;
    incident_count: number;
    last_outcome: string | null;
    opened_at: string | null;
    age_seconds: number | null;
    duration_seconds: number | null;
  }
  interface Resolution {
    live: { count: number; loops: Loop[] };
    historical: {
      loops: number;
      closed: number;
      abandoned: number;
      success_rate: number | null;
      avg_attempts: number | null;
      avg_duration_seconds: number | null;
      incidents: number;
      attempts: Record<string, number>;
    };
    recent: Loop[];
  }

  it('reports the live loop and the loops closed in the window with their attempts', async () => {
    const before = Date.now();
    const r = await get<Resolution>(`/api/metrics/resolution?${FEB}`);
    const after = Date.now();
    expect(r.live.count).toBe(1);
    const live = r.live.loops[0] as Loop;
    expect(live).toMatchObject({
      loop_id: 'T6.3.4#1',
      status: 'active',
      attempt_count: 3,
      incident_count: 1,
      last_outcome: 'pending',
    });
    const opened = Date.parse('2026-02-16T09:45:00Z');
    expect(live.age_seconds).toBeGreaterThanOrEqual(Math.floor((before - opened) / 1000) - 1);
    expect(live.age_seconds).toBeLessThanOrEqual(Math.ceil((after - opened) / 1000) + 1);
    expect(r.historical).toEqual({
      loops: 2,
      closed: 1,
      abandoned: 1,
      success_rate: 0.5,
      avg_attempts: 4.5,
      avg_duration_seconds: (985 + 5400) / 2,
      incidents: 2,
      attempts: { success: 1, failure: 3, timeout: 1, cancelled: 0, pending: 1, unknown: 0 },
    });
    expect(r.recent.map((l) => [l.loop_id, l.status, l.duration_seconds])).toEqual([
      ['T6.2.1#1', 'closed', 985],
      ['T5.9.2#3', 'abandoned', 5400],
    ]);
    const narrow = await get<Resolution>(
      '/api/metrics/resolution?since=2026-02-16&until=2026-02-17',
    );
    expect(narrow.historical.loops).toBe(1);
    expect(narrow.live.count).toBe(1);
  });

  it('exports the active loops as CSV', async () => {
    const res = await hub.fetch(`/api/metrics/export/resolution?${FEB}`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([
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
    ]);
    expect(rows.slice(1).map((r) => r.slice(0, 8))).toEqual([
      [
        'T6.3.4#1',
        'T6.3.4',
        'run-20260216-0900',
        'active',
        '2026-02-16T09:45:00.000Z',
        '2026-02-16T10:01:00.000Z',
        '3',
        '1',
      ],
    ]);
  });
});

describe('GET /api/metrics/usage and /api/metrics/resources', () => {
  const usageLog = JSON.parse(text('wvo/state/limits/usage_log.json')) as {
    last_saved: string;
    providers: Record<
      string,
      {
        usage: Record<string, Record<string, number>>;
        limits: Record<string, number>;
        warnings: Record<string, unknown>;
        tier?: string;
      }
    >;
  };

  it('mirrors usage_log.json: the latest snapshot per provider', async () => {
    const u = await get<{ last_saved: string; providers: Record<string, any> }>(
      `/api/metrics/usage?${FEB}`,
    );
    expect(u.last_saved).toBe(new Date(usageLog.last_saved).toISOString());
    expect(Object.keys(u.providers)).toEqual(Object.keys(usageLog.providers));
    for (const [name, p] of Object.entries(usageLog.providers)) {
      const got = u.providers[name];
      for (const w of ['current_hour', 'current_day'] as const) {
        for (const k of ['requests', 'tokens', 'cost_usd'] as const) {
          expect(got.usage[w][k], `${name}.${w}.${k}`).toBe(p.usage[w]?.[k] ?? null);
        }
      }
      expect(got.limits).toEqual({
        hourly_requests: p.limits['hourly_requests'] ?? null,
        hourly_tokens: p.limits['hourly_tokens'] ?? null,
        daily_requests: p.limits['daily_requests'] ?? null,
        daily_tokens: p.limits['daily_tokens'] ?? null,
      });
      expect(got.warnings).toEqual(p.warnings);
    }
    expect(u.providers['claude'].tier).toBe('pro');
    const empty = await get<{ last_saved: string | null; providers: object }>(
      '/api/metrics/usage?since=2026-03-05&until=2026-03-06',
    );
    expect(empty).toEqual({ last_saved: null, providers: {} });
  });

  it('reports host, process, provider capacity, cost per task and the latest samples', async () => {
    const r = await get<any>(`/api/metrics/resources?${FEB}`);
    expect(r.host).toMatchObject({
      hostname: os.hostname(),
      cpus: os.availableParallelism(),
      memory_total_bytes: os.totalmem(),
    });
    expect(r.host.load_avg).toHaveLength(3);
    expect(r.process.pid).toBe(process.pid);
    expect(r.process.rss_bytes).toBeGreaterThan(0);
    expect(r.process.cpu_pct).toBeGreaterThanOrEqual(0);
    expect(
      r.providers.map((p: any) => [p.provider, p.hour.utilisation, p.day.utilisation]),
    ).toEqual([
      ['claude', 0.42, 0.31],
      ['codex', 0.904, 0.975],
    ]);
    const summary = await get<any>(`/api/summary?${FEB}`);
    expect(r.cost_per_task).toEqual({
      tasks: summary.summary.total_tasks,
      cost_estimate_usd: summary.summary.cost_estimate_usd,
      cost_reported_usd: summary.summary.cost_reported_usd,
      estimate_per_task_usd: Number(
        (summary.summary.cost_estimate_usd / summary.summary.total_tasks).toFixed(6),
      ),
      reported_per_task_usd: Number(
        (summary.summary.cost_reported_usd / summary.summary.total_tasks).toFixed(6),
      ),
      unpriced_models: summary.summary.unpriced_models,
    });
    expect(
      r.samples.map((s: any) => [s.at, s.host, s.process, s.cpu_pct, s.memory_mb, s.load_avg_1m]),
    ).toEqual([
      ['2026-02-16T09:20:00.000Z', 'wvo-mbp', null, 91, 12990, 4.7],
      ['2026-02-16T09:15:00.000Z', 'wvo-mbp', 'node', 63.5, 11850, 3.1],
    ]);
  });

  it('lists every metrics route in the OpenAPI document with its parameters', async () => {
    const doc = await get<{
      paths: Record<string, { get: { tags: string[]; parameters?: { name: string }[] } }>;
    }>('/api/openapi.json');
    for (const path of [
      'tasks',
      'quality_gates',
      'resolution',
      'resources',
      'usage',
      'export/tasks',
      'export/resolution',
      'stream',
    ]) {
      expect(doc.paths[`/api/metrics/${path}`]?.get.tags).toContain('metrics');
    }
    expect(doc.paths['/api/metrics/tasks']?.get.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'since',
        'until',
        'state',
        'roadmap',
        'epic',
        'limit',
        'cursor',
        'format',
      ]),
    );
  });
});
