/**
 * F16: a glob that also matches the rotated copies (`events.jsonl*`). Every copy is tailed as
 * a file of its own, and also read by the rotation handling of the original: ids come from the
 * logical path (rotation suffix removed), byte offset and content, or from the line itself,
 * so each line is stored once however many times and under whichever name it is read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  rotateByCopy,
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

describe('F16: a glob that matches rotated copies', () => {
  test('copies present at start (derived ids): each line stored once', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    writeFileSync(`${file}.2`, `${agentLine('s1', 'gen1')}\n`);
    writeFileSync(`${file}.1`, `${agentLine('s1', 'gen2')}\n`);
    writeFileSync(file, `${agentLine('s1', 'gen3')}\n`);
    const t = await b.start([join(b.dir, 'repo/workspaces/*/events.jsonl*')]);
    expect(t.fileCount).toBe(3);
    expect(await settle(b, t, ['gen1', 'gen2', 'gen3'])).toEqual(['gen1', 'gen2', 'gen3']);
  });

  test.for([
    { name: 'rename-and-create', rotate: rotateByRename },
    { name: 'copytruncate', rotate: rotateByCopy },
  ])('rotated by $name while tailed, under load: each line once', async ({ rotate }) => {
    const b = createLiveBox();
    boxes.push(b);
    const kpiFile = b.file('repo/.droid/kpis.jsonl');
    const agentFile = b.file('repo/workspaces/s1/events.jsonl');
    writeFileSync(kpiFile, '');
    writeFileSync(agentFile, '');
    const t = await b.start(
      [join(b.dir, 'repo/.droid/kpis.jsonl*'), join(b.dir, 'repo/workspaces/*/events.jsonl*')],
      { batchEvents: 50 },
    );
    const { expected, rotations } = await writeUnderLoad(
      createRng(1616),
      { kpiFile, agentFile },
      { lines: 3000, maxChunk: 30, rotateChance: 0.08, rotate: rotate },
    );
    expect(rotations).toBeGreaterThan(3);
    const stored = await settle(b, t, expected, 25_000);
    expect(stored.length).toBe(expected.length);
    expect(stored).toEqual(sorted(expected));
    // Every copy is tailed as a file of its own.
    expect(t.fileCount).toBe(2 * (rotations + 1));
  });
});
