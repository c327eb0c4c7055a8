/**
 * F3: rename-and-create rotation under load. The writer appends without pause and rotates the
 * classic way (P.n → P.n+1, P → P.1, a new P), never waiting for the tailer. The source is the
 * single file P, so P.1 and older are reachable only through the descriptor the tailer holds
 * (or, when it was not holding one, the rotated copy with the checkpoint's inode): the old
 * file is drained to its end, the new one read from 0, every line stored once.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { afterEach, describe, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  rotateByRename,
  settle,
  sorted,
  type LiveBox,
  writeUnderLoad,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

describe('F3: rename-and-create rotation under load', () => {
  test('KPI and seed-002 streams: old files drained, new ones read from 0, each line once', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const kpiFile = b.file('repo/.droid/kpis.jsonl');
    const agentFile = b.file('repo/workspaces/s1/events.jsonl');
    writeFileSync(kpiFile, '');
    writeFileSync(agentFile, '');
    const t = await b.start([kpiFile, agentFile], { batchEvents: 50 });
    const { expected, rotations } = await writeUnderLoad(
      createRng(303),
      { kpiFile, agentFile },
      { lines: 6000, maxChunk: 40, rotateChance: 0.04, rotate: rotateByRename },
    );
    expect(rotations).toBeGreaterThan(3);
    const stored = await settle(b, t, expected, 25_000);
    expect(stored.length).toBe(expected.length);
    expect(stored).toEqual(sorted(expected));
    expect(b.monitor.conflicts).toBe(0);
  });

  test('rotated twice between two looks: the generation in between is read too', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    writeFileSync(file, `${agentLine('s1', 'g1-a')}\n`);
    const t = await b.start([file]);
    // All in one tick: the tailer sees only the end state.
    appendFileSync(file, `${agentLine('s1', 'g1-b')}\n`);
    rotateByRename(file);
    appendFileSync(file, `${agentLine('s1', 'g2-a')}\n${agentLine('s1', 'g2-b')}\n`);
    rotateByRename(file);
    appendFileSync(file, `${agentLine('s1', 'g3-a')}\n`);
    const all = ['g1-a', 'g1-b', 'g2-a', 'g2-b', 'g3-a'];
    expect(await settle(b, t, all)).toEqual(sorted(all));
  });
});
