/**
 * RELIABILITY P3: a plugin that allocates without bound is killed at its memory limit (its
 * JavaScript heap, `memory_mb`, or its resident memory for Buffers outside the heap), reported
 * and restarted; the hub stays healthy and another plugin is unaffected.
 */
import { afterEach, describe, expect, it } from 'vitest';

import {
  commit,
  createLab,
  manifest,
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

const CONFIG = `[plugins.hog]\nmemory_mb = 32\ntimeout_ms = 30000\n\n[plugins.buffers]\nmemory_mb = 32\ntimeout_ms = 30000\n`;

describe('P3: a plugin that allocates without bound', () => {
  it('on the JavaScript heap: killed at memory_mb, reported, restarted; the rest delivered once', async () => {
    lab = createLab();
    lab.plugin('hog', {
      'plugin.toml': manifest('hog'),
      'index.js': recorder(
        `if (event.event_type === 'grow') { const keep = []; for (;;) keep.push(new Array(100000).fill(event.seq)); }`,
      ),
    });
    lab.plugin('good', { 'plugin.toml': manifest('good'), 'index.js': recorder() });
    lab.enable('hog');
    lab.enable('good');
    const server = await lab.start({ config: CONFIG });
    await server.pluginsStarted;
    const rssBefore = process.memoryUsage().rss;
    await commit(server, 1);
    await commit(server, 1, 'grow');
    await commit(server, 2);
    const hit = await waitForPlugin(
      server,
      'hog',
      (s) => s.errors === 1,
      'the memory limit',
      30_000,
    );
    expect(hit.last_error).toBe(
      'ran out of memory: its JavaScript heap reached memory_mb = 32 MiB (while handling seq 2, which is not delivered again)',
    );
    await waitForPlugin(
      server,
      'hog',
      (s) => s.state === 'running' && s.restarts === 1,
      'restarted',
    );
    await waitUntil(() => lab!.seen('hog').length === 3, 'the events after it');
    expect(lab.seen('hog')).toEqual([1, 3, 4]);
    expect(lab.seen('good')).toEqual(range(1, 4));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // The hub's own memory did not take the plugin's growth.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 << 20);
  });

  it('in Buffers outside the heap: killed when its resident memory passes the limit', async () => {
    lab = createLab();
    lab.plugin('buffers', {
      'plugin.toml': manifest('buffers'),
      'index.js': `import { definePlugin } from 'vigil/plugin';
const keep = [];
export default definePlugin({
  onEvent() {
    // 4 MiB every 20 ms, touched so it is resident.
    return new Promise(() => setInterval(() => keep.push(Buffer.alloc(4 << 20, 1)), 20));
  },
});
`,
    });
    lab.enable('buffers');
    const server = await lab.start({ config: CONFIG });
    await waitForPlugin(server, 'buffers', (s) => s.state === 'running', 'running');
    await commit(server, 1);
    const hit = await waitForPlugin(server, 'buffers', (s) => s.errors === 1, 'the limit', 30_000);
    expect(hit.last_error).toMatch(
      /^used \d+ MiB of resident memory, over its limit of 128 MiB \(2 × memory_mb \+ 64\); killed \(while handling seq 1/,
    );
    await waitForPlugin(server, 'buffers', (s) => s.state === 'running', 'running again');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
