/**
 * A plugin subscribed to events sees each committed event exactly once, in commit order,
 * across graceful restarts of `vigil serve` (a real process), with events written while the
 * hub is down; and a plugin enabled for the first time starts at the events committed next.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { jsonl, uuid } from '../cli/helpers.js';
import { waitForValue, waitUntil } from '../server/streams-helpers.js';
import { createLab, manifest, range, recorder, serveProcess, type PluginLab } from './helpers.js';

let lab: PluginLab | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
});

const serve = (l: PluginLab) => serveProcess(l, ['--watch-only', '--watch', 'kpis.jsonl']);

const kpi = (n: number) => ({
  event_id: uuid(n),
  event_type: n % 2 ? 'task_start' : 'task_end',
  timestamp: '2026-02-16T12:00:00Z',
  task_id: `t-${Math.ceil(n / 2)}`,
  ...(n % 2 ? {} : { status: 'success' }),
});
const lines = (from: number, to: number) => jsonl(range(from, to).map(kpi));

const lastSeq = async (url: string) =>
  ((await (await fetch(`${url}/healthz`)).json()) as { lastSeq: number }).lastSeq;

describe('exactly once across hub restarts', () => {
  it('delivers every committed event once, in order, through two graceful restarts', async () => {
    lab = createLab();
    const l = lab;
    const file = join(l.dir, 'kpis.jsonl');
    writeFileSync(file, lines(1, 10));
    l.plugin('recorder', { 'plugin.toml': manifest('recorder'), 'index.js': recorder() });
    // Enabled before the first start: it starts at the store's last event (none yet), so it
    // sees everything, including the first ingest of the file.
    l.enable('recorder');

    const a = await serve(l);
    await waitUntil(() => l.seen('recorder').length === 10, 'the first 10 events');
    appendFileSync(file, lines(11, 40));
    await waitUntil(() => l.seen('recorder').length === 40, 'live events');
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);

    // Written while the hub is down: ingested at start, delivered after the saved cursor.
    appendFileSync(file, lines(41, 60));
    const b = await serve(l);
    await waitUntil(() => l.seen('recorder').length >= 60, 'the events written while down');
    appendFileSync(file, lines(61, 300));
    await waitForValue(async () => (await lastSeq(b.url)) === 300, 'all 300 stored', 30_000);
    // Stopped while events may still be in flight to the plugin.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    const c = await serve(l);
    appendFileSync(file, lines(301, 320));
    await waitUntil(() => l.seen('recorder').length >= 320, 'every event', 30_000);
    c.child.kill('SIGINT');
    expect(await c.exited).toBe(0);

    expect(l.seen('recorder')).toEqual(range(1, 320));
    const cursor = JSON.parse(
      readFileSync(join(l.dataDir, 'plugins', 'recorder', 'cursor.json'), 'utf8'),
    ) as { seq: number };
    expect(cursor.seq).toBe(320);
  });

  it('a plugin enabled for the first time starts with the events committed next', async () => {
    lab = createLab();
    const l = lab;
    const file = join(l.dir, 'kpis.jsonl');
    writeFileSync(file, lines(1, 5));
    const a = await serve(l);
    await waitForValue(async () => (await lastSeq(a.url)) === 5, 'the first 5 stored');
    l.plugin('late', { 'plugin.toml': manifest('late'), 'index.js': recorder() });
    l.enable('late');
    await waitForValue(async () => {
      const body = (await (await fetch(`${a.url}/api/plugins`)).json()) as {
        plugins: { name: string; state: string }[];
      };
      return body.plugins.find((p) => p.name === 'late')?.state === 'running';
    }, 'the late plugin to start');
    appendFileSync(file, lines(6, 8));
    await waitUntil(() => l.seen('late').length === 3, 'the next 3 events');
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(l.seen('late')).toEqual([6, 7, 8]);
  });
});
