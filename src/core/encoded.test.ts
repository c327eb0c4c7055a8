import { describe, expect, it } from 'vitest';

import { decodeEvent, encodeEvents, F, STRIDE } from './encoded.js';
import { EMPTY_EVENT_FIELDS, type VigilEvent } from './event.js';

function withAttrs(i: number, attrs: Record<string, unknown>): VigilEvent {
  return {
    id: `e${i}`,
    type: 'log_line',
    kind: 'log',
    ts: 1_767_225_600_000 + i,
    ...EMPTY_EVENT_FIELDS,
    source: { adapter: 'test', file: null, line: i, offset: null },
    attrs,
  };
}

describe('encodeEvents attributes', () => {
  it('encodes each event its own attributes, whatever came just before', () => {
    const sequence: Record<string, unknown>[] = [
      { agent: 'a', repo: 'r' },
      { agent: 'a', repo: 'r' },
      { agent: 'a', repo: 'r', branch: 'b' },
      { agent: 'a' },
      { repo: 'r', agent: 'a' },
      { agent: 'a', nested: { k: 1 } },
      { agent: 'a', nested: { k: 2 } },
      { agent: 'a', n: 0 },
      { agent: 'a', n: '0' },
      { agent: 'a', n: null },
      {},
      { agent: 'a', repo: 'r' },
    ];
    const enc = encodeEvents(sequence.map((attrs, i) => withAttrs(i, attrs)));
    sequence.forEach((attrs, i) => {
      expect(decodeEvent(enc, i).attrs).toEqual(attrs);
      expect(enc.values[i * STRIDE + F.attrs]).toBe(
        Object.keys(attrs).length === 0 ? null : JSON.stringify(attrs),
      );
    });
  });
});
