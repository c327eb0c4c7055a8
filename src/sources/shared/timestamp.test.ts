import { describe, expect, it } from 'vitest';

import { parseTimestamp } from './timestamp.js';

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('parseTimestamp', () => {
  it('parses the canonical UTC spellings as the general path does', () => {
    const rand = prng(7);
    const int = (max: number) => Math.floor(rand() * max);
    for (let n = 0; n < 50_000; n++) {
      // Out-of-range fields on purpose (month 13, day 31 of short months, second 60).
      const date = `${pad(int(10_000), 4)}-${pad(int(14), 2)}-${pad(int(33), 2)}`;
      const time = `${pad(int(25), 2)}:${pad(int(61), 2)}:${pad(int(62), 2)}`;
      const text = rand() < 0.5 ? `${date}T${time}Z` : `${date}T${time}.${pad(int(1000), 3)}Z`;
      // A leading space is trimmed by the general path and keeps the canonical one out.
      expect(parseTimestamp(text), text).toBe(parseTimestamp(` ${text}`));
    }
  });

  it('matches Date.parse on valid canonical timestamps, fractions included', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const text = `2026-02-16T14:30:00.${pad(ms, 3)}Z`;
      expect(parseTimestamp(text)).toBe(Date.parse(text));
    }
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseTimestamp('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseTimestamp('2026-02-16T14:30:00.12xZ')).toBeNull();
    expect(parseTimestamp('2026-02-16T14:30:00.123+02:00')).toBe(
      Date.parse('2026-02-16T12:30:00.123Z'),
    );
  });
});
