/**
 * GET /api/metrics/stream: Server-Sent Events bundling the tasks, quality_gates, resolution and
 * resources payloads every stream interval; idle (no timer, no computation) without listeners;
 * a client that stops reading is dropped while the others keep receiving.
 */
import { connect, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { metricsStreams, type MetricsStream } from '../../src/server/routes/metrics-stream.js';
import { startTestHub, type TestHub } from './harness.js';
import { waitUntil } from './streams-helpers.js';

let hub: TestHub | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await hub?.close();
  hub = null;
});

const iso = (ms: number) => new Date(ms).toISOString();
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** WVO state from the last hours, so that the stream's default window (24 h) holds it. */
function recentState(now: number, reasonBytes = 20): Record<string, string> {
  return {
    'state/analytics/task_events.jsonl': jsonl([
      {
        record: 'task',
        task_id: 'S1',
        roadmap_id: 'R',
        epic_id: 'E',
        state: 'queued',
        timestamp: iso(now - 3 * 3_600_000),
      },
      {
        record: 'task',
        task_id: 'S2',
        roadmap_id: 'R',
        epic_id: 'E',
        state: 'running',
        timestamp: iso(now - 2 * 3_600_000),
      },
      {
        record: 'task',
        task_id: 'S2',
        roadmap_id: 'R',
        epic_id: 'E',
        state: 'done',
        timestamp: iso(now - 3_600_000 + 60_000),
        tokens_in: 10,
        tokens_out: 5,
      },
    ]),
    'state/analytics/quality_gate_decisions.jsonl': jsonl(
      Array.from({ length: 100 }, (_, i) => ({
        gate: i % 3 === 0 ? 'tests' : 'review',
        decision: i % 4 === 0 ? 'rejected' : 'approved',
        timestamp: iso(now - 3_600_000 + i * 1000),
        task_id: `S${i}`,
        consensus_score: 0.5,
        reason: 'r'.repeat(reasonBytes),
      })),
    ),
  };
}

interface SseEvent {
  event: string | null;
  data: string | null;
  comment: string | null;
  at: number;
}

/** Reads an SSE response, collecting its events as they arrive. */
function readSse(res: Response): { events: SseEvent[]; stop: () => Promise<void> } {
  const events: SseEvent[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let stopped = false;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || stopped) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: null, data: null, comment: null, at: Date.now() };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) e.comment = line.slice(1).trim();
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data = line.slice(6);
        }
        events.push(e);
      }
    }
  })();
  return {
    events,
    stop: async () => {
      stopped = true;
      await reader.cancel().catch(() => undefined);
    },
  };
}

const bundles = (events: SseEvent[]) => events.filter((e) => e.event === 'metrics');

function streamOf(h: TestHub): MetricsStream {
  const s = metricsStreams.get(h.hub);
  if (s === undefined) throw new Error('no metrics stream registered');
  return s;
}

describe('GET /api/metrics/stream', () => {
  it('sends a bundle of the four payloads every interval, with heartbeats', async () => {
    const interval = 100;
    hub = await startTestHub({
      env: { VIGIL_STREAM_INTERVAL_MS: String(interval) },
      files: recentState(Date.now()),
    });
    const stream = streamOf(hub);
    stream.options.heartbeatMs = 150;
    const started = Date.now();
    const res = await hub.fetch('/api/metrics/stream');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const sse = readSse(res);
    await waitUntil(() => bundles(sse.events).length >= 5, 'five bundles');
    const got = bundles(sse.events);
    // The first bundle goes out at once; the others follow the interval, never faster.
    expect((got[4] as SseEvent).at - started).toBeGreaterThanOrEqual(4 * interval * 0.8);
    expect(hub.hub.clients.metricsStream).toBe(1);
    await waitUntil(
      () => sse.events.some((e) => e.comment?.startsWith('heartbeat') ?? false),
      'a heartbeat',
    );

    const bundle = JSON.parse((got[got.length - 1] as SseEvent).data ?? '{}') as Record<
      string,
      any
    >;
    expect(Object.keys(bundle).sort()).toEqual([
      'generated_at',
      'quality_gates',
      'resolution',
      'resources',
      'tasks',
    ]);
    // The same numbers as the routes, over the same default window.
    const tasks = (await (await hub.fetch('/api/metrics/tasks')).json()) as Record<string, any>;
    expect(bundle.tasks.tasks).toBe(2);
    expect(bundle.tasks.by_state).toEqual(tasks.by_state);
    expect(bundle.tasks.queue_depth).toBe(1);
    const gates = (await (await hub.fetch('/api/metrics/quality_gates')).json()) as Record<
      string,
      any
    >;
    expect(bundle.quality_gates.decisions).toBe(100);
    expect(bundle.quality_gates.rejected).toBe(gates.rejected);
    expect(bundle.quality_gates.rejected).toBe(25);
    expect(bundle.resources.process.pid).toBe(process.pid);
    expect(bundle.resolution.live.count).toBe(0);
    await sse.stop();
  });

  it('runs only while someone listens, and computes nothing when nobody does', async () => {
    const interval = 60;
    hub = await startTestHub({
      env: { VIGIL_STREAM_INTERVAL_MS: String(interval), VIGIL_CACHE_TTL_MS: '0' },
      files: recentState(Date.now()),
    });
    const h = hub;
    const stream = streamOf(h);
    const provider = stream.provider;
    expect(stream.running).toBe(false);
    const idleBefore = provider.computations;
    // HEAD is no way to listen (it could never receive a bundle).
    const head = await h.app.inject({
      method: 'HEAD',
      url: '/api/metrics/stream',
      headers: { host: 'localhost' },
    });
    expect(head.statusCode).toBe(404);
    expect(h.hub.clients.metricsStream).toBe(0);

    const first = readSse(await h.fetch('/api/metrics/stream'));
    const second = readSse(await h.fetch('/api/metrics/stream'));
    await waitUntil(() => h.hub.clients.metricsStream === 2, 'two clients');
    expect(stream.running).toBe(true);
    await waitUntil(() => bundles(second.events).length >= 3, 'bundles to the second client');
    // Without a cache every bundle recomputes: the counter moves while someone listens.
    expect(provider.computations).toBeGreaterThan(idleBefore + 3);

    await first.stop();
    await waitUntil(() => h.hub.clients.metricsStream === 1, 'one client left');
    expect(stream.running).toBe(true);
    await second.stop();
    await waitUntil(
      () => h.hub.clients.metricsStream === 0 && !stream.running,
      'the timer to stop',
    );

    // A quiet period of several intervals: not a synchronisation sleep but the measurement
    // itself (nothing may happen in it, however long it lasts).
    const computations = provider.computations;
    const sent = stream.bundles;
    const quietUntil = Date.now() + 6 * interval;
    await waitUntil(() => Date.now() >= quietUntil, 'the quiet period');
    expect(provider.computations).toBe(computations);
    expect(stream.bundles).toBe(sent);
    expect(stream.running).toBe(false);

    // A new listener starts it again.
    const third = readSse(await h.fetch('/api/metrics/stream'));
    await waitUntil(() => bundles(third.events).length >= 2, 'bundles after restarting');
    expect(provider.computations).toBeGreaterThan(computations);
    await third.stop();
    await waitUntil(() => !stream.running, 'the timer to stop again');
  });

  it('drops a client that stops reading, while another keeps receiving', async () => {
    // Bundles of about 300 KB (100 gate decisions with 3 KB reasons) every 50 ms fill the slow
    // client's socket and then its 1 MiB buffer within a second or two.
    hub = await startTestHub({
      env: { VIGIL_STREAM_INTERVAL_MS: '50' },
      files: recentState(Date.now(), 3000),
    });
    const h = hub;
    const stream = streamOf(h);
    expect(stream.options.maxBufferedBytes).toBe(1 << 20);

    const slow = connect(h.port, '127.0.0.1');
    sockets.push(slow);
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.write(`GET /api/metrics/stream HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n\r\n`);
    slow.pause();
    const slowClosed = new Promise<void>((r) => slow.once('close', () => r()));

    const good = readSse(await h.fetch('/api/metrics/stream'));
    await waitUntil(() => h.hub.clients.metricsStream === 2, 'both clients');
    await waitUntil(
      () => h.hub.droppedClients.metricsStream === 1,
      'the slow client to be dropped',
      20_000,
    );
    expect(h.hub.clients.metricsStream).toBe(1);
    const before = bundles(good.events).length;
    await waitUntil(
      () => bundles(good.events).length >= before + 3,
      'the good client to keep receiving',
    );
    expect(stream.running).toBe(true);
    // The server closed the dropped connection (the socket ends once its buffer is read).
    slow.resume();
    await slowClosed;
    await good.stop();
    await waitUntil(() => !stream.running, 'the timer to stop');
    expect(h.hub.droppedClients.metricsStream).toBe(1);
  });
});
