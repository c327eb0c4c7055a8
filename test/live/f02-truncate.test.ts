/**
 * F2: a file truncated in place while tailed. The offset resets (same inode, shorter file or
 * another head), every line written after the truncation is stored, nothing already stored is
 * stored again, whether the file is seen short or already regrown past the old offset.
 */
import { appendFileSync, ftruncateSync, openSync, closeSync, writeSync } from 'node:fs';

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

/** Truncates to 0 and writes `text` through one descriptor, in the same tick. */
function truncateAndWrite(file: string, text: string): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, 0);
    if (text !== '') writeSync(fd, text, 0);
  } finally {
    closeSync(fd);
  }
}

describe('F2: truncated in place while tailing', () => {
  test.for([
    { name: 'seen short', longer: false },
    { name: 'regrown past the old offset before the tailer looks', longer: true },
  ])('KPI ($name): later lines ingested, nothing lost, nothing twice', async ({ longer }) => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('.droid/kpis.jsonl');
    const rng = createRng(longer ? 22 : 21);
    const before = Array.from({ length: 30 }, () => kpiLine(rng));
    appendFileSync(file, before.map((k) => `${k.line}\n`).join(''));
    const t = await b.start([file]);
    const after = Array.from({ length: longer ? 60 : 5 }, () => kpiLine(rng));
    truncateAndWrite(file, after.map((k) => `${k.line}\n`).join(''));
    const later = Array.from({ length: 5 }, () => kpiLine(rng));
    appendFileSync(file, later.map((k) => `${k.line}\n`).join(''));
    const all = [...before, ...after, ...later].map((k) => k.id);
    expect(await settle(b, t, all)).toEqual(sorted(all));
    expect(b.published.map((e) => e.id).sort()).toEqual(sorted(all));
  });

  test('seed-002 lines (derived ids): the new content at the old offsets is new events', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const file = b.file('workspaces/s1/events.jsonl');
    const first = Array.from({ length: 20 }, (_, i) => `gen1-${i}`);
    appendFileSync(file, first.map((m) => `${agentLine('s1', m)}\n`).join(''));
    const t = await b.start([file]);
    // Same line lengths as before: only the content (and so the head) tells them apart.
    const second = Array.from({ length: 20 }, (_, i) => `gen2-${i}`);
    truncateAndWrite(file, second.map((m) => `${agentLine('s1', m)}\n`).join(''));
    expect(await settle(b, t, [...first, ...second])).toEqual(sorted([...first, ...second]));
    // Truncated to nothing, then written again one line at a time.
    truncateAndWrite(file, '');
    const third = Array.from({ length: 5 }, (_, i) => `gen3-${i}`);
    for (const m of third) appendFileSync(file, `${agentLine('s1', m)}\n`);
    const all = [...first, ...second, ...third];
    expect(await settle(b, t, all)).toEqual(sorted(all));
  });
});
