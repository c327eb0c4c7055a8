/** Store contract, commit sequence: what live streams resume from. */
import { describe, expect } from 'vitest';

import { at, makeEvent, type ContractContext } from './fixtures.js';

export function describeSequence({ storeIt }: ContractContext): void {
  describe('commit sequence', () => {
    storeIt('numbers committed events in commit order and replays after a sequence', async (h) => {
      const store = h.store;
      expect(await store.lastSeq()).toBe(0);
      const a = makeEvent({ id: 'seq-a', ts: at('12:00') });
      const b = makeEvent({ id: 'seq-b', ts: at('08:00') });
      const c = makeEvent({ id: 'seq-c', ts: at('10:00') });
      const first = await store.ingest({ events: [a, b], checkpoints: [] });
      expect(first.firstSeq).not.toBeNull();
      const second = await store.ingest({ events: [b, c], checkpoints: [] });
      expect(second.firstSeq).toBe((first.firstSeq as number) + 2);
      const last = await store.lastSeq();
      expect(last).toBe(second.firstSeq);
      const all = await store.eventsAfter(0, 100);
      expect(all.map((x) => x.event.id)).toEqual(['seq-a', 'seq-b', 'seq-c']);
      expect(all.map((x) => x.seq)).toEqual([
        first.firstSeq,
        (first.firstSeq as number) + 1,
        second.firstSeq,
      ]);
      expect(all[2]?.event).toEqual(c);
      const after = await store.eventsAfter(first.firstSeq as number, 1);
      expect(after.map((x) => x.event.id)).toEqual(['seq-b']);
      expect(await store.eventsAfter(last, 10)).toEqual([]);
      const none = await store.ingest({ events: [a], checkpoints: [] });
      expect(none.firstSeq).toBeNull();
      await store.close();
      const again = await h.reopen();
      expect(await again.lastSeq()).toBe(last);
      const d = await again.ingest({ events: [makeEvent({ id: 'seq-d' })], checkpoints: [] });
      expect(d.firstSeq).toBe(last + 1);
    });
  });
}
