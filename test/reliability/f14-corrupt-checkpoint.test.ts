/**
 * F14: a corrupt or half-written checkpoint. Checkpoints are rows of the `checkpoints` table,
 * written in the same transaction as their batch; here the rows are damaged between two ingests
 * (better-sqlite3 from the test, no sqlite3 CLI on the machine). Each time: a notice on stderr
 * that the file is re-read, a safe re-read from the start, NO duplicates (count unchanged, every
 * id once, doctor ok), no line rejected, and the next run back to reading only new lines.
 * Both for KPI files (own ids) and seed-002 files (ids derived from path, offset and content).
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, test } from 'vitest';

import {
  agentLine,
  createRng,
  createSandbox,
  doctor,
  kpiLine,
  rejectsOf,
  repeated,
  storedIds,
  vigil,
  type Sandbox,
} from './helpers.js';

interface Corruption {
  name: string;
  /** SQL run against the file's checkpoint row (`?` = its path), given the file's bytes. */
  sql: (content: Buffer) => string;
}

const CORRUPTIONS: Corruption[] = [
  {
    name: 'offset beyond the file size',
    sql: (content) => `UPDATE checkpoints SET offset = ${content.length + 4096} WHERE path = ?`,
  },
  { name: 'negative offset', sql: () => 'UPDATE checkpoints SET offset = -17 WHERE path = ?' },
  {
    name: 'garbage head_digest',
    sql: () => "UPDATE checkpoints SET head_digest = 'not-a-digest-%%%' WHERE path = ?",
  },
  { name: 'negative lines', sql: () => 'UPDATE checkpoints SET lines = -3 WHERE path = ?' },
  {
    name: 'head_length beyond the head',
    sql: () => 'UPDATE checkpoints SET head_length = 1000000 WHERE path = ?',
  },
  {
    name: 'offset not a number',
    sql: () => "UPDATE checkpoints SET offset = 'twelve' WHERE path = ?",
  },
  {
    name: 'inode of another file',
    sql: () => 'UPDATE checkpoints SET ino = ino + 1 WHERE path = ?',
  },
  { name: 'the row deleted', sql: () => 'DELETE FROM checkpoints WHERE path = ?' },
  // Half-written: the offset points inside a line (a torn update of offset alone).
  {
    name: 'offset inside a line (half-written)',
    sql: (content) =>
      `UPDATE checkpoints SET offset = ${content.indexOf(0x0a, content.length >> 1) - 5} WHERE path = ?`,
  },
];

interface IngestJson {
  inserted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

function corrupt(box: Sandbox, file: string, sql: string): void {
  const db = new Database(join(box.dataDir, 'vigil.db'));
  try {
    const changed = db.prepare(sql).run(file).changes;
    if (changed !== 1)
      throw new Error(`expected to change one checkpoint row of ${file}, changed ${changed}`);
  } finally {
    db.close();
  }
}

const FORMATS = [
  { label: 'KPI (own ids)', rel: '.droid/kpis.jsonl', own: true },
  { label: 'seed-002 (derived ids)', rel: 'workspaces/s1/events.jsonl', own: false },
] as const;

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

/** Every corruption × every format, each on its own store, run concurrently. */
const MATRIX = FORMATS.flatMap((f) =>
  CORRUPTIONS.map((c) => ({ ...f, corruption: c, name: `${f.label}: ${c.name}` })),
);

describe.concurrent('F14: corrupt or half-written checkpoint rows', () => {
  test.for(MATRIX)(
    '$name: notice, safe re-read, no duplicates',
    async ({ rel, own, corruption }, { expect }) => {
      const box = createSandbox();
      boxes.push(box);
      const file = box.file(rel);
      const rng = createRng(1414 + rel.length);
      let written = 0;
      const ids: string[] = [];
      const append = (n: number) => {
        let text = '';
        for (let i = 0; i < n; i++) {
          const l = own ? kpiLine(rng) : { id: null, line: agentLine('s1', `message ${written}`) };
          written += 1;
          if (l.id !== null) ids.push(l.id);
          text += `${l.line}\n`;
        }
        appendFileSync(file, text);
      };
      writeFileSync(file, '');
      append(60);
      const r0 = await vigil(box, ['ingest', file]);
      expect(r0.code, r0.stderr).toBe(0);

      corrupt(box, file, corruption.sql(readFileSync(file)));
      const r = await vigil(box, ['ingest', '--json', file]);
      const j = JSON.parse(r.stdout) as IngestJson;
      // Exactly once first: nothing new, nothing twice, the store consistent.
      expect(j).toMatchObject({ inserted: 0, conflicts: 0 });
      const stored = await storedIds(box);
      expect(stored.length).toBe(60);
      expect(repeated(stored)).toEqual([]);
      if (own) expect(new Set(stored)).toEqual(new Set(ids));
      expect(await doctor(box)).toMatchObject({ ok: true, problems: [] });
      // Then the report: a notice, no line rejected, exit 0.
      expect.soft(r.stderr, 'a notice that the file is re-read').toMatch(/re-reading/);
      expect.soft(j.rejected, `no line rejected; stderr: ${r.stderr}`).toBe(0);
      expect.soft(r.code, r.stderr).toBe(0);

      // The checkpoint is whole again: new lines only, no notice, and line numbers right (three
      // good lines and a bad one appended to the 60: the bad one is line 64).
      append(3);
      appendFileSync(file, '{"not json\n');
      const r2 = await vigil(box, ['ingest', '--json', file]);
      expect(r2.stderr).not.toMatch(/re-reading/);
      expect(JSON.parse(r2.stdout)).toMatchObject({ inserted: 3, duplicates: 0, rejected: 1 });
      expect([...rejectsOf(box, r2.stderr, file).keys()], r2.stderr).toEqual([64]);
      expect(r2.code, r2.stderr).toBe(2);
    },
  );
});
