/**
 * Built-in plugins run inside the hub through the same delivery (cursor, order,
 * subscriptions) and containment (throws caught, calls bounded by the timeout) as third-party
 * ones, and are off until enabled.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { BuiltinPluginSpec } from '../../src/plugins/discovery.js';
import type { PluginEvent } from '../../src/plugins/sdk.js';
import { waitUntil } from '../server/streams-helpers.js';
import { commit, createLab, pluginsOf, range, waitForPlugin, type PluginLab } from './helpers.js';

let lab: PluginLab | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
});

const spec = (
  name: string,
  subscribes: string[],
  definition: BuiltinPluginSpec['definition'],
): BuiltinPluginSpec => ({
  manifest: {
    plugin: {
      name,
      version: '0.1.0',
      description: `built-in ${name}`,
      entry_point: 'builtin',
      events: { subscribes },
    },
  },
  definition,
});

describe('built-in plugins', () => {
  it('are off until enabled, get each subscribed event once across a hub restart, and contain throws', async () => {
    lab = createLab();
    const seen: number[] = [];
    const kinds: string[] = [];
    let activations = 0;
    const builtins = [
      spec('keeper', ['*'], {
        activate: () => void (activations += 1),
        onEvent: (e: PluginEvent) => void seen.push(e.seq),
      }),
      spec('grumpy', ['log'], {
        onEvent: (e: PluginEvent) => {
          kinds.push(e.kind);
          throw new Error(`not seq ${e.seq}`);
        },
      }),
      spec('idle', ['*'], { onEvent: () => {} }),
    ];
    lab.enable('keeper');
    lab.write('vigil.toml', '[plugins.grumpy]\nenabled = true\n');
    const a = await lab.start({ builtins });
    await waitForPlugin(a, 'keeper', (s) => s.state === 'running', 'running');
    await commit(a, 3);
    await waitUntil(() => seen.length === 3, 'three events');
    const grumpy = await waitForPlugin(
      a,
      'grumpy',
      (s) => s.events_delivered === 3,
      'three events',
    );
    expect(grumpy).toMatchObject({
      state: 'running',
      errors: 3,
      last_error: 'onEvent (seq 3) threw: not seq 3',
      builtin: true,
      folder: null,
      pid: null,
    });
    expect((await pluginsOf(a)).plugins.find((p) => p.name === 'idle')?.state).toBe('disabled');
    await a.close();

    const b = await lab.start({ builtins });
    await commit(b, 2);
    await waitUntil(() => seen.length === 5, 'two more');
    expect(seen).toEqual(range(1, 5));
    expect(kinds).toEqual(['log', 'log', 'log', 'log', 'log']);
    expect(activations).toBe(2);
  });

  it('a call that never settles is timed out and the plugin activated again', async () => {
    lab = createLab();
    let activations = 0;
    const builtins = [
      spec('sleepy', ['*'], {
        activate: () => void (activations += 1),
        onEvent: (e: PluginEvent) => (e.seq === 1 ? new Promise(() => {}) : undefined),
      }),
    ];
    lab.enable('sleepy');
    const server = await lab.start({ builtins, config: '[plugins.sleepy]\ntimeout_ms = 200\n' });
    await waitForPlugin(server, 'sleepy', (s) => s.state === 'running', 'running');
    await commit(server, 2);
    const s = await waitForPlugin(
      server,
      'sleepy',
      (x) => x.restarts === 1 && x.state === 'running',
      'restarted',
    );
    expect(s.last_error).toBe(
      'onEvent (seq 1) timed out after 200 ms (while handling seq 1, which is not delivered again)',
    );
    await waitForPlugin(server, 'sleepy', (x) => x.cursor === 2, 'the next event');
    expect(activations).toBe(2);
  });
});
