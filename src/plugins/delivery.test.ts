import { describe, expect, it } from 'vitest';

import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../core/event.js';
import { LiveBus } from '../live/bus.js';
import { CATCH_UP_PAGE, Delivery } from './delivery.js';
import { compileSubscription } from './manifest.js';

/** A store of `n` events (odd seqs are `task`, even ones `log`) and the bus it publishes on. */
function world() {
  const events: VigilEvent[] = [];
  const bus = new LiveBus();
  let reads = 0;
  const event = (seq: number): VigilEvent => ({
    id: `e${seq}`,
    type: seq % 2 ? 'task_end' : 'note',
    kind: seq % 2 ? 'task' : 'log',
    ts: seq,
    ...EMPTY_EVENT_FIELDS,
    source: { adapter: 'test', file: null, line: null, offset: null },
    attrs: {},
  });
  return {
    bus,
    get reads() {
      return reads;
    },
    /** Deletes the newest `n` stored events (as `vigil prune` could), after they were published. */
    prune(n: number) {
      events.length -= n;
    },
    /** Commits `n` events; publishes them unless `silently` (another process committed). */
    commit(n: number, silently = false) {
      const firstSeq = events.length + 1;
      const batch = Array.from({ length: n }, (_, i) => event(firstSeq + i));
      events.push(...batch);
      if (!silently) bus.publish({ firstSeq, events: batch });
    },
    source: {
      eventsAfter: async (seq: number, limit: number) => {
        reads += 1;
        return events.slice(seq, seq + limit).map((e, i) => ({ seq: seq + i + 1, event: e }));
      },
      lastPublished: () => bus.lastSeq,
    },
  };
}

/** Takes everything deliverable now, concluding each; returns the seqs. */
async function drain(d: Delivery): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const next = await d.next(7);
    if (next.length === 0) return seen;
    for (const e of next) {
      seen.push(e.seq);
      d.concluded(e.seq);
    }
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('Delivery', () => {
  it('catches up from the cursor, then takes live batches in order, each once', async () => {
    const w = world();
    w.commit(10);
    const d = new Delivery(w.source, compileSubscription(['*']), 4, 100);
    w.bus.subscribe((b) => d.offer(b));
    expect(await drain(d)).toEqual(range(5, 10));
    expect(d.catchingUp).toBe(false);
    const reads = w.reads;
    w.commit(3);
    w.commit(2);
    expect(d.queueDepth).toBe(5);
    expect(await drain(d)).toEqual(range(11, 15));
    expect(w.reads).toBe(reads);
    expect(d.cursor).toBe(15);
  });

  it('ends its catch-up when the newest published events were deleted meanwhile', async () => {
    const w = world();
    w.commit(10);
    w.prune(3);
    const d = new Delivery(w.source, compileSubscription(['*']), 2, 100);
    w.bus.subscribe((b) => d.offer(b));
    expect(await drain(d)).toEqual(range(3, 7));
    expect(d.catchingUp).toBe(false);
    expect(d.cursor).toBe(10);
  });

  it('filters by subscription, and the cursor moves past what it skips', async () => {
    const w = world();
    const d = new Delivery(w.source, compileSubscription(['task']), 0, 100);
    w.bus.subscribe((b) => d.offer(b));
    await drain(d);
    w.commit(6);
    expect(await drain(d)).toEqual([1, 3, 5]);
    expect(d.cursor).toBe(6);
    expect(d.dirty).toBe(true);
  });

  it('when the queue is full, holds what it has and reads the rest back from the store', async () => {
    const w = world();
    const d = new Delivery(w.source, compileSubscription(['*']), 0, 5);
    w.bus.subscribe((b) => d.offer(b));
    await drain(d);
    w.commit(3);
    w.commit(4);
    expect(d.queueDepth).toBe(5);
    expect(d.catchingUp).toBe(true);
    w.commit(CATCH_UP_PAGE + 20);
    expect(d.queueDepth).toBe(5);
    expect(await drain(d)).toEqual(range(1, CATCH_UP_PAGE + 27));
    expect(d.catchingUp).toBe(false);
    w.commit(2);
    expect(await drain(d)).toEqual(range(CATCH_UP_PAGE + 28, CATCH_UP_PAGE + 29));
  });

  it('reads events committed by another process (a gap in the sequence) from the store', async () => {
    const w = world();
    const d = new Delivery(w.source, compileSubscription(['*']), 0, 100);
    w.bus.subscribe((b) => d.offer(b));
    await drain(d);
    w.commit(2);
    w.commit(3, true);
    w.commit(1);
    expect(d.catchingUp).toBe(true);
    expect(await drain(d)).toEqual(range(1, 6));
  });

  it('a batch published while it reads the store is read, not lost', async () => {
    const w = world();
    w.commit(3);
    const d = new Delivery(
      {
        ...w.source,
        // Another batch is committed and published just after the store was read.
        eventsAfter: async (seq, limit) => {
          const rows = await w.source.eventsAfter(seq, limit);
          if (seq === 0) w.commit(2);
          return rows;
        },
      },
      compileSubscription(['*']),
      0,
      100,
    );
    w.bus.subscribe((b) => d.offer(b));
    expect(await drain(d)).toEqual(range(1, 5));
    w.commit(1);
    expect(await drain(d)).toEqual([6]);
  });

  it('ignores batches it already has, and a conclusion out of order', async () => {
    const w = world();
    const d = new Delivery(w.source, compileSubscription(['*']), 0, 100);
    let last: Parameters<Delivery['offer']>[0] | null = null;
    w.bus.subscribe((b) => {
      last = b;
      d.offer(b);
    });
    await drain(d);
    w.commit(2);
    d.offer(last!);
    expect(d.queueDepth).toBe(2);
    d.concluded(2);
    expect(await drain(d)).toEqual([1, 2]);
    expect(d.cursor).toBe(2);
  });
});
