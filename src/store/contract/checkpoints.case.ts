/** Store contract, checkpoints: per-file read positions stored with the events. */
import { describe, expect } from 'vitest';

import { at, HEALTHY, makeCheckpoint, makeEvent, type ContractContext } from './fixtures.js';

export function describeCheckpoints({ storeIt, idsOf }: ContractContext): void {
  describe('checkpoints', () => {
    storeIt('knows which files events were read from, checkpoint or not', async ({ store }) => {
      const from = (file: string | null, id: string) =>
        makeEvent({ id, source: { adapter: 'kpi', file, line: 1, offset: 0 } });
      await store.ingest({
        events: [from('/logs/read.jsonl', 'hf-1'), from(null, 'hf-2')],
        checkpoints: [],
      });
      expect(await store.hasEventsFrom('/logs/read.jsonl')).toBe(true);
      expect(await store.hasEventsFrom('/logs/never.jsonl')).toBe(false);
    });

    storeIt('gets by path, finds by (dev, ino) and lists', async ({ store }) => {
      const one = makeCheckpoint({
        path: '/logs/b.jsonl',
        dev: 2049,
        ino: 2 ** 40 + 7,
        contentDigest: 'sha256:abc',
      });
      const two = makeCheckpoint({
        path: '/logs/a.jsonl',
        dev: 2050,
        ino: 2 ** 40 + 7,
        offset: 0,
        lines: 0,
      });
      await store.ingest({ events: [], checkpoints: [one, two] });
      expect(await store.getCheckpoint('/logs/b.jsonl')).toEqual(one);
      expect(await store.getCheckpoint('/logs/missing.jsonl')).toBeNull();
      expect(await store.findCheckpointByInode(2049, 2 ** 40 + 7)).toEqual(one);
      expect(await store.findCheckpointByInode(2050, 2 ** 40 + 7)).toEqual(two);
      expect(await store.findCheckpointByInode(2049, 1)).toBeNull();
      const list = await store.listCheckpoints();
      expect([...list].sort((p, q) => p.path.localeCompare(q.path))).toEqual([two, one]);
    });

    storeIt('replaces a checkpoint on upsert', async ({ store }) => {
      const cp = makeCheckpoint();
      await store.ingest({ events: [], checkpoints: [cp] });
      const moved = {
        ...cp,
        offset: 9000,
        size: 9000,
        lines: 80,
        updatedAt: cp.updatedAt + 5000,
      };
      await store.ingest({ events: [makeEvent()], checkpoints: [moved] });
      expect(await store.getCheckpoint(cp.path)).toEqual(moved);
      expect(await store.listCheckpoints()).toEqual([moved]);
    });

    storeIt('finds a renamed file by inode under its newest path', async ({ store }) => {
      const before = makeCheckpoint({ path: '/logs/app.jsonl', updatedAt: at('10:00') });
      const after = makeCheckpoint({ path: '/logs/app.jsonl.1', updatedAt: at('10:05') });
      await store.ingest({ events: [], checkpoints: [before] });
      await store.ingest({ events: [], checkpoints: [after] });
      expect(await store.findCheckpointByInode(before.dev, before.ino)).toEqual(after);
    });

    // A NaN timestamp passes TypeScript but no backend can store it (NOT NULL / bigint), so
    // the failure happens inside the store's transaction, after the good event was written.
    storeIt('stores a checkpoint only together with its events', async ({ store }) => {
      const cp = makeCheckpoint({ offset: 100 });
      await store.ingest({ events: [makeEvent({ id: 'before' })], checkpoints: [cp] });
      const good = makeEvent({ id: 'good', ts: at('11:00') });
      const bad = makeEvent({ id: 'bad', ts: Number.NaN });
      const failing = { ...cp, offset: 200 };
      await expect(store.ingest({ events: [good, bad], checkpoints: [failing] })).rejects.toThrow();
      expect(await store.getCheckpoint(cp.path)).toEqual(cp);
      expect(await idsOf(store)).toEqual(['before']);
      // Nothing of the failed batch is remembered as stored.
      expect(await store.ingest({ events: [good], checkpoints: [failing] })).toEqual({
        inserted: 1,
        duplicates: 0,
        conflicts: 0,
        committed: [good],
        firstSeq: expect.any(Number),
      });
      expect(await store.getCheckpoint(cp.path)).toEqual(failing);
      expect(await store.checkIntegrity()).toEqual(HEALTHY);
    });
  });
}
