import { describe, expect, it } from 'vitest';

import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../src/core/event.js';
import { LiveBus } from '../../src/live/bus.js';
import {
  Broadcaster,
  coalesceDelayMs,
  IMMEDIATE_CLIENTS,
  MAX_COALESCE_MS,
} from '../../src/server/streams/broadcaster.js';
import type { StreamClient } from '../../src/server/streams/client-buffer.js';
import type { EncodedBatch } from '../../src/server/streams/encoded-batch.js';
import { waitUntil } from './streams-helpers.js';

const ev = (id: string): VigilEvent => ({
  id,
  type: 'note',
  kind: 'log',
  ts: 0,
  ...EMPTY_EVENT_FIELDS,
  source: { adapter: 'vigil', file: null, line: null, offset: null },
  attrs: {},
});

/** A client that records the batches it is handed. */
function recorder(): { client: StreamClient; batches: EncodedBatch[] } {
  const batches: EncodedBatch[] = [];
  const client = { push: (b: EncodedBatch) => batches.push(b), shutdown: () => {} };
  return { client: client as unknown as StreamClient, batches };
}

describe('fan-out coalescing', () => {
  it('writes each commit at once to a few clients', () => {
    const bus = new LiveBus();
    const fanout = new Broadcaster(bus);
    fanout.start();
    const r = recorder();
    fanout.add(r.client);
    bus.publish({ firstSeq: 1, events: [ev('a')] });
    bus.publish({ firstSeq: 2, events: [ev('b')] });
    expect(r.batches.map((b) => b.items.length)).toEqual([1, 1]);
    fanout.stop();
  });

  it('merges commits that arrive together into one write per client when many listen', async () => {
    const bus = new LiveBus();
    const fanout = new Broadcaster(bus);
    fanout.start();
    const clients = Array.from({ length: 100 }, recorder);
    for (const c of clients) fanout.add(c.client);
    bus.publish({ firstSeq: 1, events: [ev('a'), ev('b')] });
    bus.publish({ firstSeq: 3, events: [ev('c')] });
    bus.publish({ firstSeq: 4, events: [ev('d')] });
    expect(clients[0]?.batches).toEqual([]);
    await waitUntil(() => clients.every((c) => c.batches.length > 0), 'the coalesced write');
    for (const c of clients) {
      expect(c.batches).toHaveLength(1);
      expect(c.batches[0]?.firstSeq).toBe(1);
      expect(c.batches[0]?.items.map((x) => x.event.id)).toEqual(['a', 'b', 'c', 'd']);
    }
    fanout.stop();
  });

  it('grows the wait with the number of clients, within bounds', () => {
    expect(coalesceDelayMs(1)).toBe(0);
    expect(coalesceDelayMs(IMMEDIATE_CLIENTS)).toBe(0);
    expect(coalesceDelayMs(IMMEDIATE_CLIENTS + 1)).toBeGreaterThan(0);
    expect(coalesceDelayMs(100_000)).toBe(MAX_COALESCE_MS);
  });
});
