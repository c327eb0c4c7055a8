/**
 * RELIABILITY P2: a plugin that hangs or loops forever is timed out, killed and restarted with
 * backoff; its state shows it; the event in hand is not delivered again; the rest arrive once.
 */
import { afterEach, describe, expect, it } from 'vitest';

import {
  commit,
  createLab,
  manifest,
  range,
  recorder,
  serveProcess,
  waitForPlugin,
  type PluginLab,
} from './helpers.js';
import { waitForValue, waitUntil } from '../server/streams-helpers.js';

let lab: PluginLab | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
});

const CONFIG = `[plugins.loopy]\ntimeout_ms = 1000\n\n[plugins.stuck]\ntimeout_ms = 1000\n\n[plugins.slow-start]\ntimeout_ms = 1000\n`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('P2: a plugin that hangs', () => {
  it('in an endless loop in onEvent: killed at timeout_ms, restarted, the rest delivered once', async () => {
    lab = createLab();
    lab.plugin('loopy', {
      'plugin.toml': manifest('loopy'),
      'index.js': recorder(`if (event.event_type === 'spin') { while (true) {} }`),
    });
    lab.plugin('good', { 'plugin.toml': manifest('good'), 'index.js': recorder() });
    lab.enable('loopy');
    lab.enable('good');
    const server = await lab.start({ config: CONFIG });
    await server.pluginsStarted;
    const first = await waitForPlugin(server, 'loopy', (s) => s.state === 'running', 'running');
    await commit(server, 2);
    await commit(server, 1, 'spin');
    await commit(server, 2);
    const t0 = Date.now();
    const down = await waitForPlugin(server, 'loopy', (s) => s.errors === 1, 'the timeout');
    expect(['restarting', 'starting', 'running']).toContain(down.state);
    expect(down.last_error).toBe(
      'onEvent (seq 3) timed out after 1000 ms; killed (while handling seq 3, which is not delivered again)',
    );
    await waitUntil(() => !alive(first.pid!), 'the looping process to be gone');
    const back = await waitForPlugin(
      server,
      'loopy',
      (s) => s.state === 'running' && s.restarts === 1,
      'restarted',
    );
    expect(back.pid).not.toBe(first.pid);
    await waitUntil(() => lab!.seen('loopy').length === 4, 'the events after the loop');
    // The backoff (100 ms in this test's policy) passed before the new process started.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(lab.seen('loopy')).toEqual([1, 2, 4, 5]);
    expect(lab.seen('good')).toEqual(range(1, 5));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('on a promise that never settles: the same, and every hang restarts it later, up to failed', async () => {
    lab = createLab();
    lab.plugin('stuck', {
      'plugin.toml': manifest('stuck'),
      'index.js': recorder(`await new Promise(() => {});`),
    });
    lab.enable('stuck');
    const server = await lab.start({ config: CONFIG });
    await server.pluginsStarted;
    await waitForPlugin(server, 'stuck', (s) => s.state === 'running', 'running');
    const states = new Set<string>();
    const watch = setInterval(() => {
      void fetch(`${server.url}/api/plugins`)
        .then((r) => r.json() as Promise<{ plugins: { name: string; state: string }[] }>)
        .then((b) => {
          const s = b.plugins.find((p) => p.name === 'stuck')?.state;
          if (s !== undefined) states.add(s);
        })
        .catch(() => {});
    }, 20);
    try {
      await commit(server, 6);
      const failed = await waitForPlugin(
        server,
        'stuck',
        (s) => s.state === 'failed',
        'failed',
        30_000,
      );
      expect(failed.restarts).toBe(3);
      expect(failed.errors).toBe(4);
      expect(failed.last_error).toMatch(
        /^onEvent \(seq 4\) timed out after 1000 ms; killed .*gave up after 4 failures in a row/,
      );
      expect(failed.cursor).toBe(4);
      expect(states.has('restarting')).toBe(true);
    } finally {
      clearInterval(watch);
    }
    expect(lab.seen('stuck')).toEqual([]);
  });

  it('in activate: timed out and killed like any call', async () => {
    lab = createLab();
    lab.plugin('slow-start', {
      'plugin.toml': manifest('slow-start'),
      'index.js': `export default { activate() { while (true) {} }, onEvent() {} };`,
    });
    lab.enable('slow-start');
    const server = await lab.start({ config: CONFIG });
    const s = await waitForPlugin(server, 'slow-start', (x) => x.errors >= 1, 'the timeout');
    expect(s.last_error).toBe('activate failed: activate timed out after 1000 ms; killed');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('stuck in a loop, does not outlive a hub killed with -9', async () => {
    lab = createLab();
    const l = lab;
    l.plugin('loopy', {
      'plugin.toml': manifest('loopy'),
      'index.js': recorder(`while (true) {}`),
    });
    l.enable('loopy');
    l.write('vigil.toml', '[plugins.loopy]\ntimeout_ms = 600000\n');
    l.write('kpis.jsonl', '');
    const hub = await serveProcess(l, ['--watch-only', '--watch', 'kpis.jsonl']);
    const pid = await waitForValue(async () => {
      const body = (await (await fetch(`${hub.url}/api/plugins`)).json()) as {
        plugins: { name: string; state: string; pid: number | null }[];
      };
      const p = body.plugins.find((x) => x.name === 'loopy');
      return p?.state === 'running' ? p.pid : undefined;
    }, 'the plugin running');
    l.write(
      'kpis.jsonl',
      '{"event_id":"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f","event_type":"task_start","timestamp":"2026-02-16T12:00:00Z","task_id":"t1"}\n',
    );
    await waitForValue(async () => {
      const body = (await (await fetch(`${hub.url}/api/plugins`)).json()) as {
        plugins: { name: string; queue_depth: number; cursor: number | null }[];
      };
      const p = body.plugins.find((x) => x.name === 'loopy');
      return p?.cursor === 0 && p.queue_depth === 1;
    }, 'the event in the plugin');
    hub.child.kill('SIGKILL');
    await hub.exited;
    try {
      await waitUntil(() => !alive(pid as number), 'the stuck plugin process to end', 10_000);
    } finally {
      if (alive(pid as number)) process.kill(pid as number, 'SIGKILL');
    }
  });
});
