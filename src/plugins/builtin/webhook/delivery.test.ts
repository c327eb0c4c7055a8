import { describe, expect, it } from 'vitest';

import { parseRetryAfter } from './delivery.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-02-17T14:30:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 17 Feb 2026 14:30:30 GMT', now)).toBe(30_000);
  });

  it('treats a date in the past as now, caps at 10 minutes and ignores nonsense', () => {
    expect(parseRetryAfter('Tue, 17 Feb 2026 14:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(600_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
