import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../core/event.js';
import type { DiscoveredPlugin } from './discovery.js';
import { writeCursor } from './plugin-files.js';
import { RuntimeFailure, type PluginRuntime } from './runtime.js';
import { PluginSupervisor, type BackoffPolicy } from './supervisor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const plugin: DiscoveredPlugin = {
  name: 'flaky',
  origin: 'project',
  dir: '/nowhere',
  error: null,
  definition: null,
  manifest: {
    name: 'flaky',
    version: '0.1.0',
    description: '',
    dir: '/nowhere',
    file: '/nowhere/plugin.toml',
    entry: { file: '/nowhere/index.js', exportName: 'default' },
    requires: [],
    subscribes: [],
    http: null,
    config: {},
  },
};

/** A supervisor whose runtime fails to activate the first `failing` times. */
function supervise(backoff: BackoffPolicy, failing: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-sup-'));
  dirs.push(dataDir);
  const starts: number[] = [];
  const sup = new PluginSupervisor(
    plugin,
    {
      enabled: true,
      enabledBy: 'cli',
      enabledAt: null,
      limits: { timeoutMs: 1000, memoryMb: 64, queueSize: 10 },
      config: {},
    },
    {
      dataDir,
      vigilVersion: '0.1.0',
      source: { eventsAfter: async () => [], lastPublished: () => 0 },
      query: async () => null,
      log: () => {},
      backoff,
      createRuntime: () =>
        ({
          pid: null,
          onDeath: () => {},
          activate: async () => {
            starts.push(Date.now());
            if (starts.length <= failing) throw new Error(`attempt ${starts.length}`);
          },
          deliver: async () => {},
          request: async () => ({ status: 200, headers: {}, body: '', json: false }),
          terminate: () => {},
          close: async () => null,
        }) satisfies PluginRuntime,
    },
  );
  return { sup, starts };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('PluginSupervisor restarts', () => {
  it('backs off exponentially up to the cap, then gives up as failed', async () => {
    const { sup, starts } = supervise(
      { baseMs: 40, maxMs: 100, maxFailures: 5, resetAfterMs: 60_000 },
      99,
    );
    await sup.enable();
    await until(() => sup.state === 'failed');
    expect(starts).toHaveLength(5);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    // 40, 80, then capped at 100 (timers never fire early).
    expect(gaps[0]).toBeGreaterThanOrEqual(39);
    expect(gaps[1]).toBeGreaterThanOrEqual(79);
    expect(gaps[2]).toBeGreaterThanOrEqual(99);
    expect(gaps[3]).toBeGreaterThanOrEqual(99);
    expect(gaps[3]).toBeLessThan(400);
    expect(sup.restarts).toBe(4);
    expect(sup.errors).toBe(5);
    expect(sup.lastError?.message).toBe(
      'activate failed: attempt 5; gave up after 5 failures in a row: run `vigil plugin enable flaky` or restart the hub to try again',
    );
    await sup.stop('stopped');
  });

  it('runs once a later attempt succeeds, and enable after failed starts over', async () => {
    const { sup, starts } = supervise(
      { baseMs: 10, maxMs: 10, maxFailures: 3, resetAfterMs: 60_000 },
      2,
    );
    await sup.enable();
    await until(() => sup.state === 'running');
    expect(starts).toHaveLength(3);
    expect(sup.restarts).toBe(2);
    await sup.stop('disabled');
    expect(sup.state).toBe('disabled');
    await sup.enable();
    expect(sup.state).toBe('running');
    await sup.stop('stopped');
    expect(sup.state).toBe('stopped');
  });
});

describe('PluginSupervisor and the event in hand', () => {
  const event = (seq: number): VigilEvent => ({
    id: `e${seq}`,
    type: 'note',
    kind: 'log',
    ts: seq,
    ...EMPTY_EVENT_FIELDS,
    source: { adapter: 'test', file: null, line: null, offset: null },
    attrs: {},
  });

  /** Runs a supervisor over events 1..3 whose first runtime dies with `death` while delivering. */
  async function deliveredAfter(death: RuntimeFailure): Promise<number[]> {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-sup-'));
    dirs.push(dataDir);
    writeCursor(dataDir, plugin.name, 0);
    const stored = [1, 2, 3].map((seq) => ({ seq, event: event(seq) }));
    const seen: number[] = [];
    let runtimes = 0;
    const sup = new PluginSupervisor(
      { ...plugin, manifest: { ...plugin.manifest!, subscribes: ['*'] } },
      {
        enabled: true,
        enabledBy: 'cli',
        enabledAt: null,
        limits: { timeoutMs: 1000, memoryMb: 64, queueSize: 10 },
        config: {},
      },
      {
        dataDir,
        vigilVersion: '0.1.0',
        source: {
          eventsAfter: async (seq: number, limit: number) =>
            stored.filter((s) => s.seq > seq).slice(0, limit),
          lastPublished: () => 3,
        },
        query: async () => null,
        log: () => {},
        backoff: { baseMs: 5, maxMs: 5, maxFailures: 5, resetAfterMs: 60_000 },
        createRuntime: () => {
          const first = runtimes++ === 0;
          return {
            pid: null,
            onDeath: () => {},
            activate: async () => {},
            deliver: async (events, onDone) => {
              if (first) throw death;
              for (const e of events) {
                seen.push(e.seq);
                onDone(e.seq, null);
              }
            },
            request: async () => ({ status: 200, headers: {}, body: '', json: false }),
            terminate: () => {},
            close: async () => null,
          } satisfies PluginRuntime;
        },
      },
    );
    await sup.enable();
    await until(() => runtimes === 2 && seen.at(-1) === 3);
    await sup.stop('stopped');
    return seen;
  }

  it('does not deliver again the event that was in hand when the plugin died', async () => {
    expect(await deliveredAfter(new RuntimeFailure('onEvent timed out'))).toEqual([2, 3]);
  });

  it('delivers it after the restart when a timed-out request killed the plugin', async () => {
    expect(await deliveredAfter(new RuntimeFailure('onRequest timed out', false))).toEqual([
      1, 2, 3,
    ]);
  });
});

describe('PluginSupervisor stopped while starting', () => {
  it('leaves no plugin process behind when stopped while it picks its port', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-sup-'));
    dirs.push(dataDir);
    const made: { closed: boolean; terminated: boolean }[] = [];
    const sup = new PluginSupervisor(
      {
        ...plugin,
        manifest: { ...plugin.manifest!, http: { mode: 'port', portRange: [39400, 39420] } },
      },
      {
        enabled: true,
        enabledBy: 'cli',
        enabledAt: null,
        limits: { timeoutMs: 1000, memoryMb: 64, queueSize: 10 },
        config: {},
      },
      {
        dataDir,
        vigilVersion: '0.1.0',
        source: { eventsAfter: async () => [], lastPublished: () => 0 },
        query: async () => null,
        log: () => {},
        backoff: { baseMs: 5, maxMs: 5, maxFailures: 5, resetAfterMs: 60_000 },
        createRuntime: () => {
          const state = { closed: false, terminated: false };
          made.push(state);
          return {
            pid: null,
            onDeath: () => {},
            activate: async () => {},
            deliver: async () => {},
            request: async () => ({ status: 200, headers: {}, body: '', json: false }),
            terminate: () => {
              state.terminated = true;
            },
            close: async () => {
              state.closed = true;
              return null;
            },
          } satisfies PluginRuntime;
        },
      },
    );
    const starting = sup.enable();
    await sup.stop('disabled');
    await starting;
    expect(sup.state).toBe('disabled');
    // Either no runtime was made, or each one made was closed or terminated.
    expect(made.every((r) => r.closed || r.terminated)).toBe(true);
  });
});
