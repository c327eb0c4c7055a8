/**
 * GET /api/ingest: the ingest monitor. Rejects come from the documented bad fixtures ingested
 * through the real pipeline; source positions are what the tailer records in the monitor.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../cli/helpers.js';
import { startTestHub, type TestHub } from './harness.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const WVO_BAD = 'state/analytics/bad_events.jsonl';
const VF_BAD = 'workspaces/sess_bad/events.jsonl';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    files: {
      // Eight bad WVO lines: seven schema errors, then an unknown record type.
      [WVO_BAD]: readFileSync(resolve(FIXTURES, 'wvo/bad/task_events.jsonl'), 'utf8'),
      // Eleven bad VibeForge lines: nine schema errors, a truncated line, a JSON array.
      [VF_BAD]: readFileSync(resolve(FIXTURES, 'vibeforge/bad-lines.jsonl'), 'utf8'),
    },
  });
});
afterAll(async () => {
  await hub.close();
});

interface Status {
  events_ingested: number;
  errors: number;
  last_error: { message: string } | null;
  lag_seconds: number;
  lag_bytes: number;
  sources: {
    path: string;
    adapter: string | null;
    offset: number;
    size: number;
    lag_bytes: number;
    last_error: string | null;
  }[];
  rejects: {
    total: number;
    by_reason: Record<string, number>;
    recent: {
      file: string;
      line: number | null;
      location: string;
      reason: string;
      message: string;
    }[];
  };
}

describe('GET /api/ingest', () => {
  it('reports rejects by reason and the latest ones with file:line, newest first', async () => {
    const res = await hub.fetch('/api/ingest');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const s = (await res.json()) as Status;
    expect(s.rejects.by_reason).toEqual({
      invalid_json: 1,
      not_an_object: 1,
      schema: 16,
      unknown_type: 1,
    });
    expect(s.rejects.total).toBe(19);
    expect(s.rejects.recent).toHaveLength(19);
    const vf = `${hub.dir}/${VF_BAD}`;
    const wvo = `${hub.dir}/${WVO_BAD}`;
    expect(s.rejects.recent[0]).toMatchObject({
      file: vf,
      line: 11,
      location: `${vf}:11`,
      reason: 'not_an_object',
    });
    expect(s.rejects.recent[1]).toMatchObject({ line: 10, reason: 'invalid_json' });
    expect(s.rejects.recent[18]).toMatchObject({
      file: wvo,
      line: 1,
      location: `${wvo}:1`,
      reason: 'schema',
      message: 'record: required field is missing; set it to one of task, quality_gate',
    });
    expect(s.events_ingested).toBe(0);
  });

  it('reports each watched source with its offset, size and lag, and errors', async () => {
    const now = Date.now();
    const a = hub.hub.monitor.source('/var/log/agents/a.jsonl');
    const b = hub.hub.monitor.source('/var/log/agents/b.jsonl');
    if (a === null || b === null) throw new Error('monitor refused to track a source');
    Object.assign(a, { adapter: 'kpi', offset: 100, size: 250, lastChangeAt: now - 5_000 });
    Object.assign(b, { adapter: 'agent-events', offset: 40, size: 40, lastCommitAt: now });
    hub.hub.monitor.error('EACCES reading /var/log/agents/b.jsonl', '/var/log/agents/b.jsonl');

    const s = (await (await hub.fetch('/api/ingest')).json()) as Status;
    expect(
      s.sources.map((x) => [x.path, x.adapter, x.offset, x.size, x.lag_bytes, x.last_error]),
    ).toEqual([
      ['/var/log/agents/a.jsonl', 'kpi', 100, 250, 150, null],
      [
        '/var/log/agents/b.jsonl',
        'agent-events',
        40,
        40,
        0,
        'EACCES reading /var/log/agents/b.jsonl',
      ],
    ]);
    expect(s.lag_bytes).toBe(150);
    expect(s.lag_seconds).toBeGreaterThanOrEqual(5);
    expect(s.lag_seconds).toBeLessThan(60);
    expect(s.errors).toBe(1);
    expect(s.last_error?.message).toBe('EACCES reading /var/log/agents/b.jsonl');

    const sources = parseCsv(await (await hub.fetch('/api/ingest?format=csv')).text());
    expect(sources[0]).toEqual([
      'path',
      'adapter',
      'offset',
      'size',
      'lag_bytes',
      'last_commit_at',
      'last_change_at',
      'last_error',
    ]);
    expect(sources).toHaveLength(3);
    const rejects = parseCsv(await (await hub.fetch('/api/ingest?format=csv&list=rejects')).text());
    expect(rejects[0]).toEqual(['at', 'file', 'line', 'location', 'reason', 'message']);
    expect(rejects).toHaveLength(20);
    expect((await hub.fetch('/api/ingest?list=everything')).status).toBe(400);
  });
});
