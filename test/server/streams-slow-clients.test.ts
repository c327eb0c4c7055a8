import type { Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { tuneStreams } from '../../src/server/streams/index.js';
import { startTestHub, type TestHub } from './harness.js';
import {
  makeEvents,
  openStalledClient,
  range,
  SseReader,
  sseRequestHead,
  waitUntil,
  wsUpgradeHead,
  WsCollector,
} from './streams-helpers.js';

let t: TestHub | null = null;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) f();
  await t?.close();
  t = null;
});

const LIMIT = 256 * 1024;
const TEXT = 'x'.repeat(4096);

/**
 * Commits batches of 100 events of about 4.5 KB until `dropped()` and at least `minEvents`
 * committed. After each batch it waits for the reading client to have it (`received()`), as a
 * live reader would, so only the stalled client falls behind. Returns the sequences.
 */
async function pumpUntilDropped(
  dropped: () => boolean,
  received: () => number,
  minEvents: number,
): Promise<number[]> {
  const hub = (t as TestHub).hub;
  const seqs: number[] = [];
  while (!dropped() || seqs.length < minEvents) {
    const r = await hub.ingestEvents(makeEvents(100, { message: TEXT }));
    seqs.push(...range(r.firstSeq as number, (r.firstSeq as number) + r.inserted - 1));
    // Loopback socket buffers hold a few MB at most: give up well past that (90 MB).
    if (seqs.length > 20_000) throw new Error('the stalled client was never dropped');
    await waitUntil(
      () => received() >= seqs.length,
      () => `the reading client to have ${seqs.length} events, it has ${received()}`,
    );
  }
  return seqs;
}

/** Resumes a stalled socket and counts what it still gets before the server's close. */
function drain(socket: Socket): { bytes: number; closed: boolean } {
  const state = { bytes: 0, closed: false };
  socket.on('data', (chunk: Buffer) => (state.bytes += chunk.length));
  socket.on('close', () => (state.closed = true));
  socket.resume();
  return state;
}

describe('slow stream clients (S1)', () => {
  it('drops an SSE client that stops reading; a reading client gets every one of thousands of events', async () => {
    t = await startTestHub();
    tuneStreams(t.hub, { bufferLimitBytes: LIMIT });
    const port = t.port;
    const reader = await SseReader.open(`${t.url}/api/events/stream`);
    cleanup.push(() => reader.close());
    const stalled = await openStalledClient(port, sseRequestHead(port), 'connected');
    cleanup.push(() => stalled.destroy());
    await waitUntil(() => t?.hub.clients.eventsStream === 2, 'both clients to be counted');

    const seqs = await pumpUntilDropped(
      () => t?.hub.droppedClients.eventsStream === 1,
      () => reader.frames.length,
      3000,
    );
    expect(t.hub.clients.eventsStream).toBe(1);
    await waitUntil(
      () => reader.frames.length >= seqs.length,
      () => `${seqs.length} frames for the reading client, have ${reader.frames.length}`,
      30_000,
    );
    expect(reader.seqs).toEqual(seqs);
    expect(reader.events.every((e) => e.error_message === TEXT)).toBe(true);

    // The stalled client's connection was closed, having received only part of the stream.
    const rest = drain(stalled);
    await waitUntil(() => rest.closed, 'the stalled socket to be closed by the server');
    const streamedBytes = reader.frames.reduce((n, f) => n + f.data.length, 0);
    expect(rest.bytes).toBeLessThan(streamedBytes / 2);
    expect(t.hub.droppedClients).toMatchObject({ eventsStream: 1, websocket: 0 });
  });

  it('drops a WebSocket client that stops reading; a reading client gets every event', async () => {
    t = await startTestHub();
    tuneStreams(t.hub, { bufferLimitBytes: LIMIT });
    const port = t.port;
    const reader = await WsCollector.open(`ws://127.0.0.1:${port}/ws`);
    cleanup.push(() => reader.close());
    const stalled = await openStalledClient(port, wsUpgradeHead(port), '101 Switching Protocols');
    cleanup.push(() => stalled.destroy());
    await waitUntil(() => t?.hub.clients.websocket === 2, 'both clients to be counted');

    const seqs = await pumpUntilDropped(
      () => t?.hub.droppedClients.websocket === 1,
      () => reader.seqs.length,
      3000,
    );
    expect(t.hub.clients.websocket).toBe(1);
    await waitUntil(
      () => reader.seqs.length >= seqs.length,
      () => `${seqs.length} messages for the reading client, have ${reader.seqs.length}`,
      30_000,
    );
    expect(reader.seqs).toEqual(seqs);
    const rest = drain(stalled);
    await waitUntil(() => rest.closed, 'the stalled socket to be closed by the server');
    expect(t.hub.droppedClients).toMatchObject({ eventsStream: 0, websocket: 1 });
  });

  it('drops a client that stops reading during a replay, at the next heartbeat', async () => {
    t = await startTestHub({ events: makeEvents(3000, { message: TEXT }) });
    tuneStreams(t.hub, { bufferLimitBytes: LIMIT, heartbeatMs: 50, replayPageSize: 200 });
    const port = t.port;
    const stalled = await openStalledClient(
      port,
      sseRequestHead(port, '/api/events/stream?since_seq=0'),
      'connected',
    );
    cleanup.push(() => stalled.destroy());
    await waitUntil(
      () => t?.hub.droppedClients.eventsStream === 1,
      'the stalled replay to be dropped',
    );
    expect(t.hub.clients.eventsStream).toBe(0);
    // A reading client replays all of it (at the usual heartbeat: this one shares the process
    // with the test, which must not be mistaken for a stall under load).
    tuneStreams(t.hub, { heartbeatMs: 15_000 });
    const reader = await SseReader.open(`${t.url}/api/events/stream?since_seq=0`);
    cleanup.push(() => reader.close());
    await waitUntil(() => reader.frames.length === 3000 || reader.ended, 'the full replay', 30_000);
    expect(reader.seqs).toEqual(range(1, 3000));
  });
});
