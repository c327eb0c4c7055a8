/**
 * F4: copytruncate rotation racing the writer. Lines written between the tailer's last read and
 * the copy exist only in the copy (P.1); the source is P alone, so they are found only by
 * looking for the rotated copy whose head matches the checkpoint and reading it from the old
 * offset. No loss, no re-read, for own ids (KPI) and derived ids (seed 002).
 */
import { appendFileSync } from 'node:fs';

import { afterEach, describe, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  kpiLine,
  rotateByCopy,
  settle,
  sorted,
  type LiveBox,
  writeUnderLoad,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

describe('F4: copytruncate racing the writer', () => {
  test('lines written just before the copy are read from the copy, from the old offset', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/.droid/kpis.jsonl');
    const rng = createRng(404);
    const first = Array.from({ length: 10 }, () => kpiLine(rng));
    appendFileSync(file, first.map((k) => `${k.line}\n`).join(''));
    const t = await b.start([file]);
    // In one tick, before the tailer can look: these reach only the copy.
    const unread = Array.from({ length: 7 }, () => kpiLine(rng));
    appendFileSync(file, unread.map((k) => `${k.line}\n`).join(''));
    rotateByCopy(file);
    const after = Array.from({ length: 3 }, () => kpiLine(rng));
    appendFileSync(file, after.map((k) => `${k.line}\n`).join(''));
    const all = [...first, ...unread, ...after].map((k) => k.id);
    expect(await settle(b, t, all)).toEqual(sorted(all));
    // Read from the old offset: the 10 lines already stored were not read again.
    expect(b.monitor.duplicates).toBe(0);
  });

  test('last seen empty, then written, copied and truncated before the next look: read from the copy', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    appendFileSync(file, '');
    const t = await b.start([file]);
    // Nothing read yet, so no head to compare: the copy is found by its time.
    appendFileSync(
      file,
      `${agentLine('s1', 'only-in-copy-1')}\n${agentLine('s1', 'only-in-copy-2')}\n`,
    );
    rotateByCopy(file);
    appendFileSync(file, `${agentLine('s1', 'after')}\n`);
    const all = ['only-in-copy-1', 'only-in-copy-2', 'after'];
    expect(await settle(b, t, all)).toEqual(sorted(all));
  });

  test('copied twice between two looks (derived ids): both copies and the new file, once each', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    appendFileSync(file, `${agentLine('s1', 'g1-a')}\n`);
    const t = await b.start([file]);
    appendFileSync(file, `${agentLine('s1', 'g1-b')}\n`);
    rotateByCopy(file);
    appendFileSync(file, `${agentLine('s1', 'g2-a')}\n${agentLine('s1', 'g2-b')}\n`);
    rotateByCopy(file);
    appendFileSync(file, `${agentLine('s1', 'g3-a')}\n`);
    const all = ['g1-a', 'g1-b', 'g2-a', 'g2-b', 'g3-a'];
    expect(await settle(b, t, all)).toEqual(sorted(all));
  });

  test('under load: KPI and seed-002 streams rotated by copytruncate at random points', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const kpiFile = b.file('repo/.droid/kpis.jsonl');
    const agentFile = b.file('repo/workspaces/s1/events.jsonl');
    appendFileSync(kpiFile, '');
    appendFileSync(agentFile, '');
    const t = await b.start([kpiFile, agentFile], { batchEvents: 50 });
    const { expected, rotations } = await writeUnderLoad(
      createRng(4040),
      { kpiFile, agentFile },
      { lines: 5000, maxChunk: 40, rotateChance: 0.04, rotate: rotateByCopy },
    );
    expect(rotations).toBeGreaterThan(3);
    const stored = await settle(b, t, expected, 25_000);
    expect(stored.length).toBe(expected.length);
    expect(stored).toEqual(sorted(expected));
  });
});
