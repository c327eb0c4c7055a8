import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createBatchFold, foldEncodedEvent } from '../../core/batch-fold.js';
import { encodeEvents, STRIDE, type EncodedEvents } from '../../core/encoded.js';
import type { VigilEvent } from '../../core/event.js';
import { at, makeEvent, taskEnd, taskStart } from '../contract/fixtures.js';
import type { Store } from '../types.js';
import { createSqliteStore } from './sqlite-store.js';

/** An encoding of `events` carrying its fold, as the parsing worker sends it. */
function encodedWithFold(events: readonly VigilEvent[]): EncodedEvents {
  const enc = encodeEvents(events);
  const fold = createBatchFold();
  for (let i = 0; i < enc.count; i++) foldEncodedEvent(fold, enc.values, i * STRIDE);
  return { ...enc, fold };
}

const first = [
  taskStart('e1', 't1', at('10:00'), { model: 'm', sessionId: 's1' }),
  taskEnd('e2', 't1', at('10:05'), 'success', { tokensIn: 10, sessionId: 's1' }),
  taskStart('e3', 't2', at('10:10'), { model: 'm' }),
];
/** Replays e2 and e3 (duplicates) and adds to t2 and a usage event outside any task. */
const second = [
  first[1] as VigilEvent,
  first[2] as VigilEvent,
  taskEnd('e4', 't2', at('10:20'), 'failure', { tokensOut: 7, sessionId: 's1' }),
  makeEvent({ id: 'e5', type: 'llm_call', kind: 'llm_call', ts: at('10:30'), tokensIn: 3 }),
];

async function stateOf(store: Store) {
  return {
    t1: await store.getTask('t1'),
    t2: await store.getTask('t2'),
    aggregates: await store.aggregateByModel({ since: at('00:00'), until: at('23:00') }),
    session: await store.getSession('s1'),
    integrity: await store.checkIntegrity(),
  };
}

describe('SQLite writer with a producer fold', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores what the events path stores, duplicates included, and leaves the fold as given', async () => {
    const plain = createSqliteStore(join(dir, 'plain.db'));
    const folded = createSqliteStore(join(dir, 'folded.db'));
    try {
      for (const batch of [first, second]) {
        const a = await plain.ingest({ events: batch, checkpoints: [] });
        const enc = encodedWithFold(batch);
        const before = structuredClone(enc.fold);
        const b = await folded.ingest({ encoded: enc, checkpoints: [] });
        expect(enc.fold).toEqual(before);
        expect([b.inserted, b.duplicates, b.conflicts]).toEqual([
          a.inserted,
          a.duplicates,
          a.conflicts,
        ]);
      }
      const expected = await stateOf(plain);
      expect(expected.integrity.ok).toBe(true);
      expect(expected.t2?.status).toBe('failure');
      expect(await stateOf(folded)).toEqual(expected);
    } finally {
      await plain.close();
      await folded.close();
    }
  });
});
