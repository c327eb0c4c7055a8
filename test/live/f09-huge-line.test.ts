/**
 * F9: a 10 MB line in a tailed file, written at once or in pieces over time (so the tailer
 * sees it partial several times). It is rejected as line_too_long and counted in the monitor
 * with its file and line, the lines around it are stored, tailing goes on, and memory stays
 * bounded: the line is scanned through a fixed buffer, never held whole.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { afterEach, expect, test } from 'vitest';

import {
  createLiveBox,
  createRng,
  kpiLine,
  settle,
  sorted,
  turn,
  waitFor,
  type LiveBox,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

const MIB = 1 << 20;
/** One MiB of line content, reused for every piece written (the writer holds no big line). */
const PIECE = Buffer.alloc(MIB, 'x');

function appendHugeLine(file: string, mib: number): void {
  appendFileSync(file, '{"event_id": "');
  for (let i = 0; i < mib; i += 1) appendFileSync(file, PIECE);
  appendFileSync(file, '"}\n');
}

test('F9: 10 MB lines are rejected and counted, tailing goes on, memory stays bounded', async () => {
  const b = createLiveBox();
  boxes.push(b);
  const file = b.file('repo/.droid/kpis.jsonl');
  const rng = createRng(909);
  const expected: string[] = [];
  const put = (n: number) => {
    const ks = Array.from({ length: n }, () => kpiLine(rng));
    expected.push(...ks.map((k) => k.id));
    appendFileSync(file, ks.map((k) => `${k.line}\n`).join(''));
  };
  writeFileSync(file, '');
  const t = await b.start([file], { maxLineBytes: MIB });
  const rssBefore = process.resourceUsage().maxRSS * 1024;

  put(3); // lines 1-3
  appendHugeLine(file, 10); // line 4, written at once
  put(3); // lines 5-7
  expect(await settle(b, t, expected)).toEqual(sorted(expected));

  // Lines 8-9, then line 10: 10 MiB written a piece at a time, the tailer looking at it in
  // between (the first look sees complete lines followed by the partial huge one).
  put(2);
  appendFileSync(file, '{"event_id": "');
  for (let i = 0; i < 10; i += 1) {
    appendFileSync(file, PIECE);
    await turn();
    await t.whenIdle();
  }
  // Nothing of it stored or rejected while it has no newline.
  expect(b.monitor.rejectsByReason.get('line_too_long')).toBe(1);
  appendFileSync(file, '"}\n');
  put(2); // lines 11-12
  expect(await settle(b, t, expected)).toEqual(sorted(expected));
  await waitFor(
    () => (b.monitor.rejectsByReason.get('line_too_long') === 2 ? true : undefined),
    5_000,
    'the second huge line to be rejected',
  );
  const rejects = b.monitor.recentRejects.filter((r) => r.reason === 'line_too_long');
  expect(rejects.map((r) => [r.file, r.line])).toEqual([
    [file, 4],
    [file, 10],
  ]);

  // A 100 MiB line: held whole it would take well over 100 MiB.
  appendHugeLine(file, 100);
  put(1);
  expect(await settle(b, t, expected, 30_000)).toEqual(sorted(expected));
  expect(b.monitor.rejectsByReason.get('line_too_long')).toBe(3);
  const grewBy = process.resourceUsage().maxRSS * 1024 - rssBefore;
  expect(grewBy).toBeLessThan(64 * MIB);
  expect(b.monitor.lagBytes).toBe(0);
  // Every checkpoint stayed on a line start: nothing was read twice.
  expect(b.monitor.duplicates).toBe(0);
});
