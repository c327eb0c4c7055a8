/**
 * /api/summary answers exactly what `vigil summary --format json|csv` prints for the same
 * range and model: the built CLI runs against the hub's own database.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { runVigil } from '../cli/helpers.js';
import { startTestHub, type TestHub } from './harness.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const FILES = [
  'kpi/kpis.jsonl',
  'token-usage/.droid_token_usage.jsonl',
  'vibeforge/workspaces/sess_20260216_a1/events.jsonl',
  'vibeforge/workspaces/sess_20260216_b7/events.jsonl',
  'wfc/telemetry/session-20260216-143012.jsonl',
  'wvo/state/analytics/task_events.jsonl',
  'wvo/state/telemetry/operations.jsonl',
];
const text = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ files: Object.fromEntries(FILES.map((f) => [f, text(f)])) });
});
afterAll(async () => {
  await hub.close();
});

async function cli(args: string[]): Promise<string> {
  const r = await runVigil(['summary', ...args], {
    cwd: hub.dir,
    env: { VIGIL_DATA_DIR: hub.config.dataDir },
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const RANGES: { query: string; args: string[] }[] = [
  {
    query: 'since=2026-02-16&until=2026-02-16',
    args: ['--since', '2026-02-16', '--until', '2026-02-16'],
  },
  {
    query: 'since=2026-02-16T09:07:00Z&until=2026-02-16T14:31:30Z',
    args: ['--since', '2026-02-16T09:07:00Z', '--until', '2026-02-16T14:31:30Z'],
  },
  {
    query: 'since=2026-02-01&until=2026-02-28&model=gpt-5.3-codex',
    args: ['--since', '2026-02-01', '--until', '2026-02-28', '--model', 'gpt-5.3-codex'],
  },
  {
    query: 'since=2026-02-10&until=2026-02-20&model=gpt-5-codex',
    args: ['--since', '2026-02-10', '--until', '2026-02-20', '--model', 'gpt-5-codex'],
  },
  { query: 'since=400d', args: ['--since', '400d'] },
];

describe('GET /api/summary', () => {
  it.each(RANGES)('equals `vigil summary --format json` for $query', async ({ query, args }) => {
    const res = await hub.fetch(`/api/summary?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const api = (await res.json()) as { summary: { total_tasks: number } };
    const printed = JSON.parse(await cli([...args, '--format', 'json'])) as unknown;
    expect(api).toEqual(printed);
    expect(api.summary.total_tasks).toBeGreaterThan(0);
  });

  it('equals `vigil summary --format csv` as CSV', async () => {
    const { query, args } = RANGES[1] as (typeof RANGES)[number];
    const res = await hub.fetch(`/api/summary?${query}&format=csv`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await res.text()).toBe(await cli([...args, '--format', 'csv']));
  });

  it('has the numbers of the fixture for a range holding only the two WVO tasks', async () => {
    // T6.2.1: retrying (18234/2410, $0.091) then done (9120/1388, cache 15200, $0.052, 980 s);
    // T6.3.4: failed (24010/3977, $0.14, 1530 s). Only terminal records carry duration.
    const res = await hub.fetch(
      '/api/summary?since=2026-02-16T09:30:00Z&until=2026-02-16T10:10:00Z',
    );
    const body = (await res.json()) as {
      summary: Record<string, unknown>;
      by_model: { model: string; tasks: number; cost_estimate_usd: number | null }[];
    };
    expect(body.summary).toMatchObject({
      total_tasks: 2,
      ended_tasks: 2,
      successful_tasks: 1,
      failed_tasks: 1,
      success_rate: 0.5,
      tokens_input: 18234 + 9120 + 24010,
      tokens_output: 2410 + 1388 + 3977,
      tokens_cache_read: 15200,
      avg_duration_seconds: (980 + 1530) / 2,
      cost_reported_usd: 0.283,
      // gpt-5-codex at $1.25 / $10 per million; claude-sonnet-4.5 has no shipped price.
      cost_estimate_usd: Number(((24010 * 1.25 + 3977 * 10) / 1e6).toFixed(6)),
      unpriced_models: ['claude-sonnet-4.5'],
    });
    expect(body.by_model.map((m) => [m.model, m.tasks])).toEqual([
      ['claude-sonnet-4.5', 1],
      ['gpt-5-codex', 1],
    ]);
  });

  it('serves repeated queries from the cache and drops it when new events are committed', async () => {
    const query = '/api/summary?since=2026-03-01&until=2026-03-02';
    const spy = vi.spyOn(hub.hub.store, 'aggregateByModel');
    // Other parts of the hub may aggregate too (on commits): count this range's queries only.
    const since = Date.parse('2026-03-01T00:00:00Z');
    const ours = () => spy.mock.calls.filter(([q]) => q.since === since).length;
    try {
      const before = (await (await hub.fetch(query)).json()) as {
        summary: { total_tasks: number };
      };
      expect(before.summary.total_tasks).toBe(0);
      const calls = ours();
      expect(calls).toBe(1);
      await hub.fetch(query);
      await hub.fetch(query);
      expect(ours()).toBe(calls);

      const kpi = [
        {
          event_id: '7d3c2a10-0000-4000-8000-000000000001',
          event_type: 'task_start',
          timestamp: '2026-03-01T10:00:00Z',
          task_id: 'task_march',
          model: 'gpt-5',
        },
        {
          event_id: '7d3c2a10-0000-4000-8000-000000000002',
          event_type: 'task_end',
          timestamp: '2026-03-01T10:05:00Z',
          task_id: 'task_march',
          tokens_input: 1000,
          tokens_output: 100,
          duration_seconds: 300,
          status: 'success',
        },
      ];
      await hub.ingest([
        hub.write('.droid/kpis.jsonl', kpi.map((k) => JSON.stringify(k)).join('\n') + '\n'),
      ]);
      const after = (await (await hub.fetch(query)).json()) as {
        summary: { total_tasks: number; tokens_input: number; cost_estimate_usd: number };
      };
      expect(ours()).toBe(calls + 1);
      expect(after.summary).toMatchObject({
        total_tasks: 1,
        tokens_input: 1000,
        cost_estimate_usd: Number(((1000 * 1.25 + 100 * 10) / 1e6).toFixed(6)),
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects bad parameters with a 400 naming them', async () => {
    for (const [query, param] of [
      ['since=last-tuesday', 'since'],
      ['until=2026-02-30', 'until'],
      ['since=2026-02-20&until=2026-02-10', 'since'],
      ['format=pdf', 'format'],
      ['model=', 'model'],
    ] as const) {
      const res = await hub.fetch(`/api/summary?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(param);
    }
  });
});
