import v8 from 'node:v8';

import { expect, it } from 'vitest';

import { startHeapTrim } from './heap-trim.js';

const newSpaceBytes = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

it('gives the grown young generation back once the process is idle', async () => {
  // Grow the new space the way start-up does: many short-lived allocations.
  let keep: unknown[] = [];
  for (let i = 0; i < 400_000; i++) {
    keep.push({ i, s: `item ${i}` });
    if (keep.length > 50_000) keep = [];
  }
  keep = [];
  expect(newSpaceBytes()).toBeGreaterThan(2 << 20);
  const stop = startHeapTrim(250);
  try {
    await expect
      .poll(newSpaceBytes, { timeout: 20_000, interval: 100 })
      .toBeLessThanOrEqual(2 << 20);
  } finally {
    stop();
  }
});
