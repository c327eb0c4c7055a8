/**
 * F1: a line written in two pieces. Nothing is stored until its newline arrives (the CLI says a
 * last line is waiting), then exactly one event (Vector `test_split_reads`).
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { afterAll, describe, expect, test } from 'vitest';

import {
  agentLine,
  countEvents,
  createRng,
  createSandbox,
  doctor,
  kpiLine,
  PARSE_MODES,
  storedIds,
  vigil,
  type Sandbox,
} from './helpers.js';

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

async function splitCase(
  rel: string,
  lines: string[],
  expectedIds: ((ids: string[]) => void) | null,
  env: Record<string, string> = {},
): Promise<void> {
  const box = createSandbox('vigil-rel-', env);
  boxes.push(box);
  const file = box.file(rel);
  const [first, ...rest] = lines;
  // Complete lines before the split one, so the split line is not the file's first.
  writeFileSync(file, rest.map((l) => `${l}\n`).join(''));
  const r0 = await vigil(box, ['ingest', file]);
  expect(r0.code, r0.stderr).toBe(0);
  const base = await countEvents(box);
  expect(base).toBe(rest.length);

  const line = first as string;
  const cut = Math.floor(line.length / 2);
  appendFileSync(file, line.slice(0, cut));
  const r1 = await vigil(box, ['ingest', '--json', file]);
  expect(r1.code, r1.stderr).toBe(0);
  const j1 = JSON.parse(r1.stdout) as {
    inserted: number;
    rejected: number;
    files: { partial_line: boolean }[];
  };
  expect(j1.inserted).toBe(0);
  expect(j1.rejected).toBe(0);
  expect(j1.files[0]?.partial_line).toBe(true);
  expect(r1.stderr).toMatch(/last line has no newline yet/);
  expect(await countEvents(box)).toBe(base);

  appendFileSync(file, `${line.slice(cut)}\n`);
  const r2 = await vigil(box, ['ingest', '--json', file]);
  expect(r2.code, r2.stderr).toBe(0);
  const j2 = JSON.parse(r2.stdout) as {
    inserted: number;
    duplicates: number;
    rejected: number;
    files: { partial_line: boolean }[];
  };
  expect(j2).toMatchObject({ inserted: 1, duplicates: 0, rejected: 0 });
  expect(j2.files[0]?.partial_line).toBe(false);
  expect(r2.stderr).not.toMatch(/no newline yet/);
  expect(await countEvents(box)).toBe(base + 1);
  const ids = await storedIds(box);
  expect(new Set(ids).size).toBe(ids.length);
  expectedIds?.(ids);

  // A third run reads nothing more.
  const r3 = await vigil(box, ['ingest', '--json', file]);
  expect(JSON.parse(r3.stdout)).toMatchObject({ inserted: 0, duplicates: 0, rejected: 0 });
  expect((await doctor(box)).ok).toBe(true);
}

describe.concurrent('F1: a line written in two pieces', () => {
  test.for(PARSE_MODES)(
    'KPI (own event ids, $name): nothing until the newline, then exactly that event',
    async (mode) => {
      const rng = createRng(101);
      const split = kpiLine(rng);
      const others = Array.from({ length: 3 }, () => kpiLine(rng));
      await splitCase(
        '.droid/kpis.jsonl',
        [split.line, ...others.map((o) => o.line)],
        (ids) => {
          expect(new Set(ids)).toEqual(new Set([split.id, ...others.map((o) => o.id)]));
        },
        { ...mode.env },
      );
    },
  );

  test('seed-002 agent events (derived ids): nothing until the newline, then one event', async () => {
    const lines = [agentLine('s1', 'the split one'), agentLine('s1', 'm'), agentLine('s1', 'm2')];
    await splitCase('workspaces/s1/events.jsonl', lines, null);
  });

  test('the first line of a new file split in two: nothing, then one event', async () => {
    for (const [rel, line] of [
      ['.droid/kpis.jsonl', kpiLine(createRng(7)).line],
      ['workspaces/s1/events.jsonl', agentLine('s1', 'm')],
    ] as const) {
      const box = createSandbox();
      boxes.push(box);
      const file = box.file(rel);
      const cut = Math.floor(line.length / 2);
      writeFileSync(file, line.slice(0, cut));
      const r1 = await vigil(box, ['ingest', file]);
      expect(r1.code, `${rel}: ${r1.stderr}`).toBe(0);
      expect(r1.stderr).toMatch(/last line has no newline yet/);
      expect(await countEvents(box)).toBe(0);
      appendFileSync(file, `${line.slice(cut)}\n`);
      const r2 = await vigil(box, ['ingest', file]);
      expect(r2.code, `${rel}: ${r2.stderr}`).toBe(0);
      expect(await countEvents(box)).toBe(1);
    }
  });
});
