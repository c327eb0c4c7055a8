/**
 * The slow-client policy of StreamClient on a transport whose socket buffer the test controls:
 * which clients are dropped, when, and what they were sent before.
 */
import { describe, expect, it } from 'vitest';

import type { Hub } from '../../src/live/hub.js';
import { StreamClient } from '../../src/server/streams/client-buffer.js';
import { EncodedBatch } from '../../src/server/streams/encoded-batch.js';
import { STREAM_DEFAULTS } from '../../src/server/streams/stream-options.js';
import { makeEvents } from './streams-helpers.js';

const LIMIT = 1000;

function fakeHub(): Hub {
  return {
    clients: { metricsStream: 0, eventsStream: 0, websocket: 0 },
    droppedClients: { metricsStream: 0, eventsStream: 0, websocket: 0 },
    monitor: { error: () => {} },
    store: { eventsAfter: async () => [] },
  } as unknown as Hub;
}

/** A transport that queues everything written until the test says the peer read it. */
class FakeClient extends StreamClient {
  queued = 0;
  sent: number[] = [];
  destroyed = false;

  constructor(hub: Hub) {
    super(hub, 'eventsStream', { ...STREAM_DEFAULTS, bufferLimitBytes: LIMIT }, null);
  }

  /** The peer reads `bytes`. */
  read(bytes: number): void {
    this.queued = Math.max(0, this.queued - bytes);
  }

  heartbeat(): boolean {
    return this.sendControl(() => this.put(10));
  }

  protected bufferedBytes(): number {
    return this.queued;
  }

  protected writeEvents(batch: EncodedBatch, afterSeq: number): void {
    for (const item of batch.items) {
      if (item.seq <= afterSeq) continue;
      this.sent.push(item.seq);
      this.put(400);
    }
  }

  private put(bytes: number): void {
    this.queued += bytes;
    this.bytesWritten += bytes;
  }

  protected waitWritable(): Promise<void> {
    return Promise.resolve();
  }

  protected destroy(): void {
    this.destroyed = true;
    this.closed();
  }

  shutdown(): void {
    this.closed();
  }
}

let next = 1;
/** A live batch of `n` events with the next sequences. */
function nextBatch(n: number): EncodedBatch {
  const b = EncodedBatch.fromLive({ firstSeq: next, events: makeEvents(n) });
  next += n;
  return b;
}

async function startClient() {
  const hub = fakeHub();
  const client = new FakeClient(hub);
  await client.start(null, next - 1, () => {});
  return { hub, client };
}

describe('StreamClient slow-client policy', () => {
  it('drops a client that stopped reading at the first check over the limit without progress', async () => {
    const { hub, client } = await startClient();
    expect(hub.clients.eventsStream).toBe(1);
    client.push(nextBatch(2)); // 800 bytes queued
    client.push(nextBatch(2)); // 1600: over the limit, first check, bytes flowed since the start
    expect(client.destroyed).toBe(false);
    client.push(nextBatch(2)); // still 1600 unread, nothing taken since: stopped reading
    expect(client.destroyed).toBe(true);
    expect(client.sent).toHaveLength(4);
    expect(hub.droppedClients.eventsStream).toBe(1);
    expect(hub.clients.eventsStream).toBe(0);
    client.push(nextBatch(2));
    expect(client.sent).toHaveLength(4);
  });

  it('keeps a client that is draining a burst, up to four times the limit', async () => {
    const { hub, client } = await startClient();
    // Each round: 800 bytes in, 200 read; 3600 unread after six rounds.
    for (let i = 0; i < 6; i++) {
      client.push(nextBatch(2));
      client.read(200); // reading, more slowly than the burst arrives
    }
    expect(client.destroyed).toBe(false);
    expect(client.queued).toBeGreaterThan(LIMIT);
    expect(client.queued).toBeLessThan(4 * LIMIT);
    for (let i = 0; i < 8 && !client.destroyed; i++) {
      client.push(nextBatch(2));
      client.read(200);
    }
    // Past four times the limit it goes, although it still reads.
    expect(client.destroyed).toBe(true);
    expect(hub.droppedClients.eventsStream).toBe(1);
  });

  it('never drops a client that keeps up, and the heartbeat applies the same rule', async () => {
    const { hub, client } = await startClient();
    for (let i = 0; i < 100; i++) {
      client.push(nextBatch(2));
      client.read(800);
      expect(client.heartbeat()).toBe(true);
      client.read(10);
    }
    expect(client.sent).toHaveLength(200);
    expect(hub.droppedClients.eventsStream).toBe(0);

    client.push(nextBatch(3)); // 1200 unread
    expect(client.heartbeat()).toBe(true); // over, but bytes flowed since the last check
    expect(client.heartbeat()).toBe(false); // nothing read since: dropped
    expect(hub.droppedClients.eventsStream).toBe(1);
  });
});
