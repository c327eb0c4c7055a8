/**
 * F7: a file rotated while the hub was down. On start the checkpoint names an inode that is no
 * longer at the path: it is found among the rotated copies and read on from the checkpoint
 * (the lines written after the last commit and before the rotation), generations rotated in
 * between are read, the new file is read from 0, and nothing is stored twice, also when a
 * glob matches the rotated copies.
 */
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

const kpiText = (ks: readonly { line: string }[]) => ks.map((k) => `${k.line}\n`).join('');
const agentText = (ms: readonly string[]) => ms.map((m) => `${agentLine('s1', m)}\n`).join('');

describe('F7: rotated while the hub was down', () => {
  test('KPI: the unread end of the renamed file, then the new file, each line once', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/.droid/kpis.jsonl');
    const rng = createRng(707);
    const read = Array.from({ length: 20 }, () => kpiLine(rng));
    writeFileSync(file, kpiText(read));
    const t1 = await b.start([file]);
    await t1.stop();
    await b.reopenStore();
    // Down: more lines, then rename-and-create, then lines in the new file.
    const unread = Array.from({ length: 8 }, () => kpiLine(rng));
    appendFileSync(file, kpiText(unread));
    renameSync(file, `${file}.1`);
    const fresh = Array.from({ length: 5 }, () => kpiLine(rng));
    writeFileSync(file, kpiText(fresh));
    const t2 = await b.start([file]);
    const all = [...read, ...unread, ...fresh].map((k) => k.id);
    expect(await settle(b, t2, all)).toEqual(sorted(all));
    // Read on from the checkpoint: the 20 stored lines were not read again.
    expect(b.monitor.duplicates).toBe(0);
  });

  test('seed 002: rotated twice while down, the generation in between is read too', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    writeFileSync(file, agentText(['g1-a', 'g1-b']));
    const t1 = await b.start([file]);
    await t1.stop();
    await b.reopenStore();
    appendFileSync(file, agentText(['g1-c']));
    renameSync(file, `${file}.1`);
    writeFileSync(file, agentText(['g2-a', 'g2-b']));
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    writeFileSync(file, agentText(['g3-a']));
    const t2 = await b.start([file]);
    const all = ['g1-a', 'g1-b', 'g1-c', 'g2-a', 'g2-b', 'g3-a'];
    expect(await settle(b, t2, all)).toEqual(sorted(all));
  });

  test('renamed away and no new file yet: the rest of the renamed file is read', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/workspaces/s1/events.jsonl');
    writeFileSync(file, agentText(['a']));
    const t1 = await b.start([join(b.dir, 'repo/workspaces/*/events.jsonl')]);
    await t1.stop();
    appendFileSync(file, agentText(['b']));
    renameSync(file, `${file}.1`);
    const t2 = await b.start([join(b.dir, 'repo/workspaces/*/events.jsonl')]);
    expect(await settle(b, t2, ['a', 'b'])).toEqual(['a', 'b']);
    // Once the new file appears it is tailed from 0.
    writeFileSync(file, agentText(['c']));
    expect(await settle(b, t2, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  test('a glob that also matches the rotated copy: nothing twice', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('repo/.droid/kpis.jsonl');
    const rng = createRng(770);
    const read = Array.from({ length: 10 }, () => kpiLine(rng));
    writeFileSync(file, kpiText(read));
    const glob = join(b.dir, 'repo/.droid/kpis.jsonl*');
    const t1 = await b.start([glob]);
    await t1.stop();
    const unread = Array.from({ length: 4 }, () => kpiLine(rng));
    appendFileSync(file, kpiText(unread));
    renameSync(file, `${file}.1`);
    const fresh = Array.from({ length: 3 }, () => kpiLine(rng));
    writeFileSync(file, kpiText(fresh));
    const t2 = await b.start([glob]);
    const all = [...read, ...unread, ...fresh].map((k) => k.id);
    expect(await settle(b, t2, all)).toEqual(sorted(all));
    expect(b.published.map((e) => e.id).sort()).toEqual(sorted(all));
  });
});
