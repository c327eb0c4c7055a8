/**
 * F11: empty lines, CRLF line endings and a UTF-8 BOM. Every event is ingested, reject line
 * numbers count CRLF lines right, and the checkpoint offset is right: lines appended after the
 * first ingest are the only ones read by the second (no duplicates, bytes_read = appended bytes).
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { afterAll, describe, expect, test } from 'vitest';

import {
  agentLine,
  allEvents,
  countEvents,
  createRng,
  createSandbox,
  doctor,
  kpiLine,
  PARSE_MODES,
  rejectsOf,
  storedIds,
  vigil,
  type Sandbox,
} from './helpers.js';

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

const BOM = '\uFEFF';
const BAD = '{"this is": not json}';

interface IngestJson {
  inserted: number;
  duplicates: number;
  rejected: number;
  bytes_read: number;
  files: { lines: number; partial_line: boolean; note: string | null }[];
}

function rejectLines(box: Sandbox, stderr: string, file: string): number[] {
  return [...rejectsOf(box, stderr, file).keys()].sort((a, b) => a - b);
}

/**
 * Writes `first` (BOM, CRLF, empty and blank lines, one bad line), ingests, appends `second`
 * (CRLF, an empty line, one bad line), ingests again, and checks counts, line numbers, offsets.
 */
async function endingsCase(
  rel: string,
  good: () => string,
  idsOf: ((n: string[]) => void) | null,
  env: Record<string, string> = {},
): Promise<void> {
  const box = createSandbox('vigil-rel-', env);
  boxes.push(box);
  const file = box.file(rel);
  const g = Array.from({ length: 9 }, good);
  // 1: BOM+good  2: empty  3: good  4: blank (spaces)  5: bad  6: good  7: empty CRLF  8: good (LF only)
  const first = `${BOM}${g[0]}\r\n\r\n${g[1]}\r\n   \r\n${BAD}\r\n${g[2]}\r\n\r\n${g[3]}\n`;
  writeFileSync(file, first);
  const r1 = await vigil(box, ['ingest', '--json', file]);
  expect(r1.code, r1.stderr).toBe(2);
  expect(rejectLines(box, r1.stderr, file)).toEqual([5]);
  const j1 = JSON.parse(r1.stdout) as IngestJson;
  expect(j1).toMatchObject({
    inserted: 4,
    duplicates: 0,
    rejected: 1,
    bytes_read: Buffer.byteLength(first),
  });
  expect(j1.files[0]?.lines).toBe(8);
  expect(await countEvents(box)).toBe(4);

  // 9: good  10: empty  11: good  12: bad  13: good  14: good, no CRLF but LF  15: good
  const second = `${g[4]}\r\n\r\n${g[5]}\r\n${BAD}\r\n${g[6]}\r\n${g[7]}\n${g[8]}\r\n`;
  appendFileSync(file, second);
  const r2 = await vigil(box, ['ingest', '--json', file]);
  expect(r2.code, r2.stderr).toBe(2);
  expect(rejectLines(box, r2.stderr, file)).toEqual([12]);
  const j2 = JSON.parse(r2.stdout) as IngestJson;
  expect(j2).toMatchObject({
    inserted: 5,
    duplicates: 0,
    rejected: 1,
    bytes_read: Buffer.byteLength(second),
  });
  expect(j2.files[0]?.lines).toBe(7);
  expect(j2.files[0]?.note).toBeNull();

  const events = await allEvents(box);
  expect(events.length).toBe(9);
  expect(events.map((e) => Number(e['source_line'])).sort((a, b) => a - b)).toEqual([
    1, 3, 6, 8, 9, 11, 13, 14, 15,
  ]);
  const ids = await storedIds(box);
  expect(new Set(ids).size).toBe(9);
  idsOf?.(ids);
  // Nothing left to read.
  const r3 = await vigil(box, ['ingest', '--json', file]);
  expect(r3.code).toBe(0);
  expect(JSON.parse(r3.stdout)).toMatchObject({
    inserted: 0,
    duplicates: 0,
    rejected: 0,
    bytes_read: 0,
  });
  expect((await doctor(box)).ok).toBe(true);
}

describe.concurrent('F11: empty lines, CRLF, BOM', () => {
  test.each(PARSE_MODES)(
    'KPI file ($name): all events, right line numbers, right offsets',
    async (mode) => {
      const rng = createRng(1111);
      const written: string[] = [];
      await endingsCase(
        '.droid/kpis.jsonl',
        () => {
          const k = kpiLine(rng);
          written.push(k.id);
          return k.line;
        },
        (ids) => expect(new Set(ids)).toEqual(new Set(written)),
        { ...mode.env },
      );
    },
  );

  test('seed-002 file (derived ids): all events, right line numbers, right offsets', async () => {
    let n = 0;
    await endingsCase('workspaces/s1/events.jsonl', () => agentLine('s1', `m${(n += 1)}`), null);
  });

  test('a BOM before a bad first line: reported as line 1, the next line stored', async () => {
    const box = createSandbox();
    boxes.push(box);
    const withBom = box.file('workspaces/a/events.jsonl');
    const without = box.file('workspaces/b/events.jsonl');
    writeFileSync(withBom, `${BOM}${BAD}\r\n${agentLine('a', 'x')}\r\n`);
    writeFileSync(without, `${agentLine('b', 'y')}\n`);
    const r = await vigil(box, ['ingest', withBom, without]);
    expect(r.code, r.stderr).toBe(2);
    expect(rejectLines(box, r.stderr, withBom)).toEqual([1]);
    expect(await countEvents(box)).toBe(2);
  });

  // Both were skipped as blank before the parsing worker commit (text.trim() === ''); since then
  // only lines starting with a space or tab are tested for blankness (src/ingest/parse-lines.ts).
  test.for([
    {
      name: 'a BOM followed by an empty line',
      body: (a: string, b: string) => `${BOM}\r\n${a}\r\n${b}\r\n`,
    },
    {
      name: 'a line holding only a stray CR ("\\r\\r\\n")',
      body: (a: string, b: string) => `${a}\r\n\r\r\n${b}\r\n`,
    },
  ])('$name is a blank line: skipped, not rejected, exit 0', async ({ body }) => {
    for (const [rel, make] of [
      ['.droid/kpis.jsonl', (i: number) => kpiLine(createRng(1100 + i)).line],
      ['workspaces/s1/events.jsonl', (i: number) => agentLine('s1', `m${i}`)],
    ] as const) {
      const box = createSandbox();
      boxes.push(box);
      const file = box.file(rel);
      writeFileSync(file, body(make(1), make(2)));
      const r = await vigil(box, ['ingest', file]);
      expect(await countEvents(box), rel).toBe(2);
      expect(rejectLines(box, r.stderr, file), `${rel}: ${r.stderr}`).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
});
