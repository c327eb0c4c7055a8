/**
 * F13: a file deleted while it is being read is read to its end, through the descriptor the
 * tailer holds; also when lines were appended just before the deletion and never seen at the
 * path. Afterwards the path is forgotten (no descriptor left open) and a new file there is read.
 */
import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs';

import { afterEach, describe, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  kpiLine,
  openDescriptorsOn,
  settle,
  sorted,
  waitFor,
  type LiveBox,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

describe('F13: deleted while being read', () => {
  test('deleted in the middle of the catch-up: every line of it stored', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    const messages = Array.from({ length: 30_000 }, (_, i) => `line-${i}`);
    writeFileSync(file, messages.map((m) => `${agentLine('s1', m)}\n`).join(''));
    const t = b.tailer([file], { batchEvents: 100 });
    const started = t.start();
    await waitFor(
      async () => ((await b.store.countEvents({})) > 0 ? true : undefined),
      10_000,
      'the first batch',
      1,
    );
    unlinkSync(file);
    const midway = await b.store.countEvents({});
    expect(midway).toBeLessThan(messages.length);
    await started;
    expect(await settle(b, t, messages)).toEqual(sorted(messages));
    expect(openDescriptorsOn(file)).toBe(0);
    expect(b.monitor.sources.has(file)).toBe(false);
  });

  test('lines appended and the file deleted in one go: read through the held descriptor', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/.droid/kpis.jsonl');
    const rng = createRng(1313);
    const first = Array.from({ length: 5 }, () => kpiLine(rng));
    writeFileSync(file, first.map((k) => `${k.line}\n`).join(''));
    const t = await b.start([file]);
    expect(openDescriptorsOn(file)).toBe(1);
    const last = Array.from({ length: 5 }, () => kpiLine(rng));
    appendFileSync(file, last.map((k) => `${k.line}\n`).join(''));
    unlinkSync(file);
    const ids = [...first, ...last].map((k) => k.id);
    expect(await settle(b, t, ids)).toEqual(sorted(ids));
    expect(openDescriptorsOn(file)).toBe(0);
    // A new file at the same path is a new file, read from 0.
    const again = Array.from({ length: 3 }, () => kpiLine(rng));
    writeFileSync(file, again.map((k) => `${k.line}\n`).join(''));
    const all = [...ids, ...again.map((k) => k.id)];
    expect(await settle(b, t, all)).toEqual(sorted(all));
  });
});
