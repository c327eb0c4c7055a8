/**
 * F8: a file truncated while the hub was down and written again past the old offset. Same
 * inode, larger than the checkpoint: only the fingerprint (the head digest) tells it is another
 * content. Detected, and the new content is read from 0: nothing skipped (Promtail misses
 * this), nothing stored twice.
 */
import { appendFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';

import { afterEach, describe, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  kpiLine,
  settle,
  sorted,
  type LiveBox,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

describe('F8: truncated while down and regrown past the old offset', () => {
  test('KPI: every line of the new content stored, none skipped', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/.droid/kpis.jsonl');
    const rng = createRng(808);
    const before = Array.from({ length: 30 }, () => kpiLine(rng));
    writeFileSync(file, before.map((k) => `${k.line}\n`).join(''));
    const ino = statSync(file).ino;
    const t1 = await b.start([file]);
    await t1.stop();
    await b.reopenStore();
    truncateSync(file, 0);
    const after = Array.from({ length: 50 }, () => kpiLine(rng));
    appendFileSync(file, after.map((k) => `${k.line}\n`).join(''));
    expect(statSync(file).ino).toBe(ino);
    const t2 = await b.start([file]);
    const all = [...before, ...after].map((k) => k.id);
    expect(await settle(b, t2, all)).toEqual(sorted(all));
  });

  test('seed 002 (derived ids): lines at the old offsets with new content are new events', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    const before = Array.from({ length: 10 }, (_, i) => `old-${i}`);
    writeFileSync(file, before.map((m) => `${agentLine('s1', m)}\n`).join(''));
    const oldSize = statSync(file).size;
    const t1 = await b.start([file]);
    await t1.stop();
    truncateSync(file, 0);
    const after = Array.from({ length: 25 }, (_, i) => `new-${i}`);
    appendFileSync(file, after.map((m) => `${agentLine('s1', m)}\n`).join(''));
    expect(statSync(file).size).toBeGreaterThan(oldSize);
    const t2 = await b.start([file]);
    expect(await settle(b, t2, [...before, ...after])).toEqual(sorted([...before, ...after]));
  });
});
