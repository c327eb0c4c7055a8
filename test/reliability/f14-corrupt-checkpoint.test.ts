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
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { agentLine, countEvents, createRng, createSandbox, doctor, kpiLine, repeated, storedIds, vigil, type Sandbox } from './helpers.js';

interface Corruption {
  name: string;
  /** SQL run against the file's checkpoint row (`?` = its path), given the file's bytes. */
  sql: (content: Buffer) => string;
}

const CORRUPTIONS: Corruption[] = [
  { name: 'offset beyond the file size', sql: (content) => `UPDATE checkpoints SET offset = ${content.length + 4096} WHERE path = ?` },
  { name: 'negative offset', sql: () => 'UPDATE checkpoints SET offset = -17 WHERE path = ?' },
  { name: 'garbage head_digest', sql: () => "UPDATE checkpoints SET head_digest = 'not-a-digest-%%%' WHERE path = ?" },
  { name: 'negative lines', sql: () => 'UPDATE checkpoints SET lines = -3 WHERE path = ?' },
  { name: 'head_length beyond the head', sql: () => 'UPDATE checkpoints SET head_length = 1000000 WHERE path = ?' },
  { name: 'offset not a number', sql: () => "UPDATE checkpoints SET offset = 'twelve' WHERE path = ?" },
  { name: 'the row deleted', sql: () => 'DELETE FROM checkpoints WHERE path = ?' },
  // Half-written: the offset points inside a line (a torn update of offset alone).
  { name: 'offset inside a line (half-written)', sql: (content) => `UPDATE checkpoints SET offset = ${content.indexOf(0x0a, content.length >> 1) - 5} WHERE path = ?` },
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
    if (changed !== 1) throw new Error(`expected to change one checkpoint row of ${file}, changed ${changed}`);
  } finally {
    db.close();
  }
}

function suite(label: string, rel: string, makeLine: (i: number) => { id: string | null; line: string }) {
  describe(`F14 ${label}`, () => {
    let box: Sandbox;
    let file: string;
    let written = 0;
    const ids: string[] = [];
    const append = (n: number) => {
      let text = '';
      for (let i = 0; i < n; i++) {
        const l = makeLine(written);
        written += 1;
        if (l.id !== null) ids.push(l.id);
        text += `${l.line}\n`;
      }
      appendFileSync(file, text);
    };

    beforeAll(async () => {
      box = createSandbox();
      file = box.file(rel);
      writeFileSync(file, '');
      append(60);
      const r = await vigil(box, ['ingest', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(await countEvents(box)).toBe(60);
    });
    afterAll(() => box.cleanup());

    for (const c of CORRUPTIONS) {
      test(`${c.name}: notice, safe re-read, no duplicates`, async () => {
        const before = written;
        corrupt(box, file, c.sql(readFileSync(file)));
        const r = await vigil(box, ['ingest', '--json', file]);
        const j = JSON.parse(r.stdout) as IngestJson;
        // Exactly once first: nothing new, nothing twice, the store consistent.
        expect(j).toMatchObject({ inserted: 0, conflicts: 0 });
        const stored = await storedIds(box);
        expect(stored.length).toBe(before);
        expect(repeated(stored)).toEqual([]);
        if (ids.length > 0) expect(new Set(stored)).toEqual(new Set(ids));
        expect(await doctor(box)).toMatchObject({ ok: true, problems: [] });
        // Then the report: a notice, no line rejected, exit 0.
        expect.soft(r.stderr, 'a notice that the file is re-read').toMatch(/re-reading/);
        expect.soft(j.rejected, `no line rejected; stderr: ${r.stderr}`).toBe(0);
        expect.soft(r.code, r.stderr).toBe(0);

        // The checkpoint is whole again: new lines only, no notice.
        append(3);
        const r2 = await vigil(box, ['ingest', '--json', file]);
        expect(r2.code, r2.stderr).toBe(0);
        expect(r2.stderr).not.toMatch(/re-reading/);
        expect(JSON.parse(r2.stdout)).toMatchObject({ inserted: 3, duplicates: 0, rejected: 0 });
      });
    }
  });
}

const rng = createRng(1414);
suite('KPI (own ids)', '.droid/kpis.jsonl', () => kpiLine(rng));
suite('seed-002 (derived ids)', 'workspaces/s1/events.jsonl', (i) => ({ id: null, line: agentLine('s1', `message ${i}`) }));
