/**
 * `/api/plugins` (in the OpenAPI document, every field) and the plugin metrics on /metrics
 * (valid for `promtool check metrics`, under the configured namespace); a hub without plugins
 * lists none and exposes no plugin series.
 */
import { spawnSync } from 'node:child_process';

import { afterEach, describe, expect, it } from 'vitest';

import { PluginsBody } from '../../src/plugins/status.js';
import { metricsReady } from '../../src/server/metrics/index.js';
import { startTestHub, type TestHub } from '../server/harness.js';
import { waitUntil } from '../server/streams-helpers.js';
import {
  commit,
  createLab,
  manifest,
  pluginsOf,
  recorder,
  waitForPlugin,
  type PluginLab,
} from './helpers.js';

let lab: PluginLab | null = null;
let hub: TestHub | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
  await hub?.close();
  hub = null;
});

describe('/api/plugins and the plugin metrics', () => {
  it('report each plugin with its state and figures, valid for promtool, in the namespace', async () => {
    lab = createLab();
    lab.plugin('rec', {
      'plugin.toml': manifest('rec', '[plugin.http]\nenabled = true\n'),
      'index.js': recorder(),
    });
    lab.plugin('off', { 'plugin.toml': manifest('off'), 'index.js': recorder() });
    lab.enable('rec');
    const server = await lab.start({ env: { VIGIL_METRICS_NAMESPACE: 'wfc' } });
    await waitForPlugin(server, 'rec', (s) => s.state === 'running', 'running');
    await commit(server, 4);
    await waitUntil(() => lab!.seen('rec').length === 4, 'delivery');
    const rec = await waitForPlugin(server, 'rec', (s) => s.cursor === 4, 'the cursor at 4');
    const body = await pluginsOf(server);
    expect(PluginsBody.parse(body)).toEqual(body);
    expect(rec).toMatchObject({
      name: 'rec',
      version: '0.1.0',
      description: 'test plugin rec',
      folder: `${lab.dir}/.vigil/plugins/rec`,
      origin: 'project',
      builtin: false,
      enabled: true,
      state: 'running',
      last_error: null,
      restarts: 0,
      events_delivered: 4,
      errors: 0,
      queue_depth: 0,
      catching_up: false,
      cursor: 4,
      subscribes: ['*'],
      http: { mount_path: '/plugins/rec', port: null },
    });
    expect(rec.pid).toBeGreaterThan(0);
    expect(body.plugins.find((p) => p.name === 'off')).toMatchObject({
      enabled: false,
      state: 'disabled',
      pid: null,
      cursor: null,
    });

    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('wfc_plugin_up{plugin="rec"} 1');
    expect(text).toContain('wfc_plugin_up{plugin="off"} 0');
    expect(text).toContain('wfc_plugin_events_total{plugin="rec"} 4');
    expect(text).toContain('wfc_plugin_restarts_total{plugin="rec"} 0');
    expect(text).toContain('wfc_plugin_errors_total{plugin="rec"} 0');
    const open = await (
      await fetch(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    expect(open).toContain('wfc_plugin_events_total{plugin="rec"} 4');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = `${check.stdout}${check.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('knowledge_entries_total non-counter'));
    expect(problems).toEqual([]);
  });

  it('a hub without plugins lists none and exposes no plugin series; the route is documented', async () => {
    hub = await startTestHub();
    const body = (await (await hub.fetch('/api/plugins')).json()) as unknown;
    expect(body).toEqual({ plugins: [], problems: [] });
    await metricsReady(hub.app);
    const text = await (await hub.fetch('/metrics')).text();
    expect(text).toContain('# TYPE vigil_plugin_up gauge');
    expect(text).not.toMatch(/^vigil_plugin_\w+\{/m);
    const openapi = (await (await hub.fetch('/api/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain('/api/plugins');
    expect(Object.keys(openapi.paths).some((p) => p.startsWith('/plugins/'))).toBe(false);
  });
});
