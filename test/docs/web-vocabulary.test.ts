import { describe, expect, it } from 'vitest';

import { EVENT_KINDS, EVENT_STATUSES } from '../../src/core/vocabulary.js';
import { BUILTIN_ADAPTERS } from '../../src/sources/registry.js';
import * as web from '../../web/src/lib/vocabulary.js';

describe("the dashboard's copy of the vocabulary", () => {
  it('offers exactly the kinds, statuses and built-in adapters the server knows', () => {
    expect([...web.EVENT_KINDS]).toEqual([...EVENT_KINDS]);
    expect([...web.EVENT_STATUSES]).toEqual([...EVENT_STATUSES]);
    expect([...web.ADAPTERS].sort()).toEqual(BUILTIN_ADAPTERS.map((a) => a.name).sort());
  });
});
