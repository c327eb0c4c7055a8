import { afterEach, describe, expect, it, vi } from 'vitest';

import { startTestHub, type TestHub } from './harness.js';
import {
  makeEvent,
  makeEvents,
  range,
  SseReader,
  waitUntil,
  WsCollector,
} from './streams-helpers.js';

let t: TestHub | null = null;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const f of cleanup.splice(0)) f();
  await t?.close();
  t = null;
});

const percentile = (xs: readonly number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

describe('stream fan-out', () => {
  it('delivers every event to 250 SSE clients and 20 WebSockets, serializing each event once', async () => {
    t = await startTestHub();
    const url = t.url;
    const readers = await Promise.all(
      Array.from({ length: 250 }, () => SseReader.open(`${url}/api/events/stream`)),
    );
    cleanup.push(() => readers.forEach((r) => r.close()));
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () => WsCollector.open(`ws://127.0.0.1:${t?.port}/ws`)),
    );
    cleanup.push(() => sockets.forEach((s) => s.close()));
    expect(t.hub.clients).toMatchObject({ eventsStream: 250, websocket: 20 });

    const stringify = vi.spyOn(JSON, 'stringify');
    const seqs: number[] = [];
    const started = performance.now();
    for (let b = 0; b < 20; b++) {
      const r = await t.hub.ingestEvents(makeEvents(25));
      seqs.push(...range(r.firstSeq as number, (r.firstSeq as number) + r.inserted - 1));
    }
    await waitUntil(
      () =>
        readers.every((r) => r.frames.length >= 500) && sockets.every((s) => s.seqs.length >= 500),
      () =>
        `500 events everywhere; slowest SSE client has ${Math.min(...readers.map((r) => r.frames.length))}, slowest WebSocket ${Math.min(...sockets.map((s) => s.seqs.length))}`,
      30_000,
    );
    const lastArrival = Math.max(...readers.map((r) => r.receivedAt.at(-1) as number));
    const calls = stringify.mock.calls.length;
    stringify.mockRestore();
    for (const r of readers) expect(r.seqs).toEqual(seqs);
    for (const s of sockets) expect(s.seqs).toEqual(seqs);
    // Once per event for the stream (plus what the store does per event), not once per client.
    expect(calls).toBeLessThan(500 * 5);
    expect(t.hub.droppedClients).toMatchObject({ eventsStream: 0, websocket: 0 });
    console.log(
      `fan-out: 500 events in 20 commits to 250 SSE + 20 WebSocket clients, last arrival ${ms(lastArrival - started)} after the first commit began; JSON.stringify calls: ${calls}`,
    );
  });

  it('gets a committed event to a client quickly (seed 004: under 100 ms)', async () => {
    t = await startTestHub();
    const sse = await SseReader.open(`${t.url}/api/events/stream`);
    cleanup.push(() => sse.close());
    const ws = await WsCollector.open(`ws://127.0.0.1:${t.port}/ws`);
    cleanup.push(() => ws.close());
    const published = new Map<number, number>();
    t.hub.bus.subscribe(({ firstSeq }) => published.set(firstSeq, performance.now()));

    const fromCall: number[] = [];
    const fromCommit: number[] = [];
    const wsFromCall: number[] = [];
    for (let i = 0; i < 200; i++) {
      const before = performance.now();
      const r = await t.hub.ingestEvents([makeEvent()]);
      const seq = r.firstSeq as number;
      await waitUntil(() => sse.seqs.at(-1) === seq && ws.seqs.at(-1) === seq, `event ${seq}`);
      const sseAt = sse.receivedAt.at(-1) as number;
      fromCall.push(sseAt - before);
      fromCommit.push(sseAt - (published.get(seq) as number));
      const wsIndex = ws.messages.findLastIndex((m) => m.event === 'event');
      wsFromCall.push((ws.receivedAt[wsIndex] as number) - before);
    }
    console.log(
      `latency over 200 single-event commits: SSE from ingest call p50 ${ms(percentile(fromCall, 50))} p95 ${ms(percentile(fromCall, 95))} max ${ms(Math.max(...fromCall))}; SSE from bus publish p50 ${ms(percentile(fromCommit, 50))} p95 ${ms(percentile(fromCommit, 95))}; WebSocket from ingest call p50 ${ms(percentile(wsFromCall, 50))} p95 ${ms(percentile(wsFromCall, 95))}`,
    );
    expect(percentile(fromCall, 50)).toBeLessThan(100);
    expect(percentile(wsFromCall, 50)).toBeLessThan(100);
  });
});
