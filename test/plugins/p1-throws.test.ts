/**
 * RELIABILITY P1: a plugin that throws on activate or on an event is reported (/api/plugins,
 * /metrics), the hub stays healthy and another plugin is unaffected.
 */
import { afterEach, describe, expect, it } from 'vitest';

import {
  commit,
  createLab,
  manifest,
  pluginsOf,
  range,
  recorder,
  waitForPlugin,
  type PluginLab,
} from './helpers.js';
import { waitUntil } from '../server/streams-helpers.js';

let lab: PluginLab | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
});

describe('P1: a plugin that throws', () => {
  it('on activate: failed start reported, restarted with backoff, then given up; the others run', async () => {
    lab = createLab();
    lab.plugin('bad-activate', {
      'plugin.toml': manifest('bad-activate'),
      'index.js': `export default { activate() { throw new TypeError('boom on activate'); }, onEvent() {} };`,
    });
    lab.plugin('good', { 'plugin.toml': manifest('good'), 'index.js': recorder() });
    lab.enable('bad-activate');
    lab.enable('good');
    const server = await lab.start();
    await server.pluginsStarted;
    await waitForPlugin(server, 'good', (s) => s.state === 'running', 'running');
    await commit(server, 5);
    await waitUntil(() => lab!.seen('good').length === 5, 'the good plugin to get 5 events');

    // 4 failures in a row (the test policy): 3 restarts at 100, 200, 400 ms, then failed.
    const failed = await waitForPlugin(
      server,
      'bad-activate',
      (s) => s.state === 'failed',
      'failed',
    );
    expect(failed.last_error).toContain('activate failed: TypeError: boom on activate');
    expect(failed.last_error).toContain('gave up after 4 failures in a row');
    expect(failed.restarts).toBe(3);
    expect(failed.errors).toBe(4);
    expect(failed.pid).toBeNull();

    await commit(server, 3);
    await waitUntil(() => lab!.seen('good').length === 8, 'the good plugin to get 3 more');
    expect(lab.seen('good')).toEqual(range(1, 8));
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);

    // /metrics says the same.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('vigil_plugin_up{plugin="bad-activate"} 0');
    expect(metrics).toContain('vigil_plugin_up{plugin="good"} 1');
    expect(metrics).toContain('vigil_plugin_restarts_total{plugin="bad-activate"} 3');
    expect(metrics).toContain('vigil_plugin_errors_total{plugin="bad-activate"} 4');
    expect(metrics).toContain('vigil_plugin_events_total{plugin="good"} 8');

    // `vigil plugin enable` on a failed plugin tries again at once.
    lab.enable('bad-activate');
    await waitForPlugin(server, 'bad-activate', (s) => s.errors > 4, 'a new attempt');
  });

  it('on an event: each throw reported with its seq, the plugin keeps running, exactly once', async () => {
    lab = createLab();
    lab.plugin('picky', {
      'plugin.toml': manifest('picky'),
      'index.js': recorder(
        `if (event.event_type === 'bad') throw new Error('cannot take seq ' + event.seq);`,
      ),
    });
    lab.plugin('good', { 'plugin.toml': manifest('good'), 'index.js': recorder() });
    lab.enable('picky');
    lab.enable('good');
    const server = await lab.start();
    await server.pluginsStarted;
    const before = await waitForPlugin(server, 'picky', (s) => s.state === 'running', 'running');
    await commit(server, 2);
    await commit(server, 1, 'bad');
    await commit(server, 2);
    await commit(server, 1, 'bad');
    await waitUntil(
      () => lab!.seen('picky').length === 4 && lab!.seen('good').length === 6,
      'deliveries',
    );
    const after = await waitForPlugin(
      server,
      'picky',
      (s) => s.events_delivered === 6,
      '6 delivered',
    );
    expect(after.state).toBe('running');
    expect(after.errors).toBe(2);
    expect(after.restarts).toBe(0);
    expect(after.pid).toBe(before.pid);
    expect(after.last_error).toBe('onEvent (seq 6) threw: cannot take seq 6');
    expect(lab.seen('picky')).toEqual([1, 2, 4, 5]);
    expect(lab.seen('good')).toEqual(range(1, 6));
    const body = await pluginsOf(server);
    expect(body.plugins.find((p) => p.name === 'good')?.errors).toBe(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
