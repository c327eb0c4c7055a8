import { describe, expect, it } from 'vitest';

import { hash53 } from '../../core/hash.js';
import { prng } from '../contract/index.js';
import { IdIndex } from './id-index.js';

/** The index plus the table it stands for: seq → id, with deleted rows (a prune) as undefined. */
function harness(hashOf: (id: string) => number, capacity?: number) {
  const index = new IdIndex(capacity);
  const rows: (string | undefined)[] = [undefined];
  const insert = (id: string) => {
    const seq = rows.length;
    rows.push(id);
    index.insert(hashOf(id), seq);
    return seq;
  };
  const find = (id: string) => index.find(hashOf(id), (seq) => rows[seq] === id);
  return { index, rows, insert, find };
}

describe('IdIndex', () => {
  it('finds every id after many inserts and growth', () => {
    const h = harness(hash53, 1);
    const startBytes = h.index.byteLength;
    const seqs: number[] = [];
    for (let i = 0; i < 200_000; i++) seqs.push(h.insert(`id-${i}`));
    expect(h.index.size).toBe(200_000);
    expect(startBytes).toBe(1024 * 8);
    // Never more than 70% full: 200k entries need 2^19 slots of 8 bytes.
    expect(h.index.byteLength).toBe(2 ** 19 * 8);
    let misses = 0;
    for (let i = 0; i < 200_000; i++) if (h.find(`id-${i}`) !== seqs[i]) misses += 1;
    expect(misses).toBe(0);
    expect(h.find('id-200000')).toBeNull();
  });

  it('findOrInsert finds a stored id, and otherwise stores the new seq once', () => {
    const index = new IdIndex(1);
    const rows: string[] = [''];
    const probe = (id: string, hash = hash53(id)) => {
      const seq = rows.length;
      const found = index.findOrInsert(hash, seq, (s) => rows[s] === id);
      if (found === null) rows.push(id);
      return found;
    };
    for (let i = 0; i < 5_000; i++) expect(probe(`id-${i}`)).toBeNull();
    expect(index.size).toBe(5_000);
    for (let i = 0; i < 5_000; i += 7) expect(probe(`id-${i}`)).toBe(i + 1);
    // Same hash, another id: confirmed false, so stored beside the first.
    expect(probe('other', hash53('id-3'))).toBeNull();
    expect(probe('other', hash53('id-3'))).toBe(5_001);
    expect(probe('id-3')).toBe(4);
    expect(index.size).toBe(5_001);
  });

  it('asks confirm only about slots with an equal hash and returns the confirmed seq', () => {
    const index = new IdIndex(4);
    index.insert(7, 100);
    index.insert(7 + 1024, 200); // same home slot, different hash
    index.insert(8, 300); // pushed along by the probe sequence
    const asked: number[] = [];
    expect(index.find(7 + 1024, (seq) => (asked.push(seq), true))).toBe(200);
    expect(asked).toEqual([200]);
    asked.length = 0;
    expect(index.find(8, (seq) => (asked.push(seq), true))).toBe(300);
    expect(asked).toEqual([300]);
    expect(index.find(9, () => true)).toBeNull();
    expect(index.find(7, () => false)).toBeNull();
  });

  it('probes past equal hashes of different ids', () => {
    const h = harness(() => 42);
    const a = h.insert('a');
    const b = h.insert('b');
    const c = h.insert('c');
    expect([h.find('a'), h.find('b'), h.find('c'), h.find('d')]).toEqual([a, b, c, null]);
    // A slot whose row was pruned is skipped; the id inserted again is found at its new seq.
    h.rows[b] = undefined;
    expect(h.find('b')).toBeNull();
    const again = h.insert('b');
    expect(h.find('b')).toBe(again);
    expect(h.find('c')).toBe(c);
  });

  it('confirms hashes equal in their low 32 bits on the full id', () => {
    const h = harness((id) => (id === 'a' ? 5 : 5 + 2 ** 40));
    const a = h.insert('a');
    const b = h.insert('b');
    expect([h.find('a'), h.find('b'), h.find('c')]).toEqual([a, b, null]);
    expect(() => new IdIndex().insert(1, 0)).toThrow(RangeError);
  });

  it('wraps around the end of the table', () => {
    const index = new IdIndex(1); // 1024 slots
    const top = Number.MAX_SAFE_INTEGER; // 2^53 - 1: home slot 1023, the last one
    index.insert(top, 1);
    index.insert(top, 2);
    index.insert(top - 1024, 3); // same home slot, hash differs only above the mask
    index.insert(0, 4);
    expect(index.find(top, (seq) => seq === 2)).toBe(2);
    expect(index.find(top - 1024, () => true)).toBe(3);
    expect(index.find(top - 1, () => true)).toBeNull();
    expect(index.find(0, () => true)).toBe(4);
  });

  const models: [string, (id: string) => number, number | undefined][] = [
    // Ids of one group share a hash: collisions on every lookup.
    ['colliding hashes', (id) => hash53(id.slice(0, id.indexOf(':'))), undefined],
    ['full hashes from a tiny table', hash53, 1],
  ];
  for (const [label, hashOf, capacity] of models) {
    it(`agrees with a Map over 100k random operations (${label})`, () => {
      const rand = prng(label.length);
      const h = harness(hashOf, capacity);
      const model = new Map<string, number>();
      const known: string[] = [];
      let mismatches = 0;
      for (let op = 0; op < 100_000; op++) {
        const r = rand();
        if (r < 0.45) {
          const id = `g${Math.floor(rand() * 20_000)}:${op}`;
          if (h.find(id) !== null) mismatches += 1;
          model.set(id, h.insert(id));
          known.push(id);
        } else if (r < 0.9 && known.length > 0) {
          const id = known[Math.floor(rand() * known.length)] as string;
          if (h.find(id) !== (model.get(id) ?? null)) mismatches += 1;
        } else if (r < 0.95 && known.length > 0) {
          // A prune: the row goes, its slot stays behind.
          const id = known[Math.floor(rand() * known.length)] as string;
          const seq = model.get(id);
          if (seq !== undefined) h.rows[seq] = undefined;
          model.delete(id);
        } else {
          const id = `g${Math.floor(rand() * 20_000)}:absent-${op}`;
          if (h.find(id) !== null) mismatches += 1;
        }
      }
      expect(mismatches).toBe(0);
      expect(h.index.size).toBe(h.rows.length - 1);
      let wrong = 0;
      for (const id of known) if (h.find(id) !== (model.get(id) ?? null)) wrong += 1;
      expect(wrong).toBe(0);
      expect(model.size).toBeGreaterThan(30_000);
    });
  }
});
