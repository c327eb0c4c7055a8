/**
 * F12: two files whose first lines are identical, and empty files (Vector #643). Both files are
 * ingested completely. For seed-002 (ids derived from logical path, offset and content) the
 * shared first line is one event per file; for KPI (own ids) the shared line is one event,
 * counted once as a duplicate and never as a conflict. Empty files cause no error, and are read
 * once they get content.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { afterAll, expect, test } from 'vitest';

import {
  agentLine,
  allEvents,
  countEvents,
  createRng,
  createSandbox,
  doctor,
  kpiLine,
  repeated,
  storedIds,
  vigil,
  type Sandbox,
} from './helpers.js';

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

interface IngestJson {
  inserted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  files: { path: string; status: string; inserted: number; error: string | null }[];
}

test.concurrent(
  'F12 seed-002: identical first lines in two workspaces, plus empty files: every line of both stored',
  async () => {
    const box = createSandbox();
    boxes.push(box);
    const a = box.file('workspaces/s1/events.jsonl');
    const b = box.file('workspaces/s2/events.jsonl');
    const emptyWs = box.file('workspaces/s3/events.jsonl');
    const shared = agentLine('s1', 'm');
    writeFileSync(
      a,
      [shared, agentLine('s1', 'a2'), agentLine('s1', 'a3')].map((l) => `${l}\n`).join(''),
    );
    writeFileSync(b, [shared, agentLine('s1', 'b2')].map((l) => `${l}\n`).join(''));
    writeFileSync(emptyWs, '');

    const r = await vigil(box, ['ingest', '--json', 'workspaces']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as IngestJson;
    expect(j).toMatchObject({ inserted: 5, duplicates: 0, conflicts: 0, rejected: 0 });
    expect(j.files.filter((f) => f.status === 'error')).toEqual([]);
    expect(j.files.find((f) => f.path === a)?.inserted).toBe(3);
    expect(j.files.find((f) => f.path === b)?.inserted).toBe(2);

    const events = await allEvents(box);
    expect(events.length).toBe(5);
    expect(repeated(events.map((e) => String(e['event_id'])))).toEqual([]);
    const perFile = (f: string) =>
      events
        .filter((e) => e['source_file'] === f)
        .map((e) => e['error_message'])
        .sort();
    expect(perFile(a)).toEqual(['a2', 'a3', 'm']);
    expect(perFile(b)).toEqual(['b2', 'm']);

    // Named one by one, the empty file is no error either; once written it is read.
    const r2 = await vigil(box, ['ingest', '--json', a, b, emptyWs]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ inserted: 0, duplicates: 0, rejected: 0 });
    appendFileSync(emptyWs, `${shared}\n`);
    const r3 = await vigil(box, ['ingest', '--json', 'workspaces']);
    expect(r3.code, r3.stderr).toBe(0);
    expect(JSON.parse(r3.stdout)).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(await countEvents(box)).toBe(6);
    expect((await doctor(box)).ok).toBe(true);
  },
);

test.concurrent(
  'F12 KPI: two files with an identical first line (same event_id), plus an empty KPI file',
  async () => {
    const box = createSandbox();
    boxes.push(box);
    const rng = createRng(1212);
    const shared = kpiLine(rng);
    const restA = Array.from({ length: 4 }, () => kpiLine(rng));
    const restB = Array.from({ length: 3 }, () => kpiLine(rng));
    const a = box.file('repo-a/.droid/kpis.jsonl');
    const b = box.file('repo-b/.droid/kpis.jsonl');
    const empty = box.file('repo-c/.droid/kpis.jsonl');
    writeFileSync(a, [shared, ...restA].map((k) => `${k.line}\n`).join(''));
    writeFileSync(b, [shared, ...restB].map((k) => `${k.line}\n`).join(''));
    writeFileSync(empty, '');

    const r = await vigil(box, ['ingest', '--json', a, b, empty]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as IngestJson;
    expect(j).toMatchObject({ inserted: 8, duplicates: 1, conflicts: 0, rejected: 0 });
    expect(j.files.find((f) => f.path === b)?.inserted).toBe(3);
    const ids = await storedIds(box);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set([shared, ...restA, ...restB].map((k) => k.id)));
    expect((await doctor(box)).ok).toBe(true);
  },
);

test.concurrent(
  'F12: identical files with the same logical name in different folders are both read to the end',
  async () => {
    // Same bytes, same size, same first 4 KiB: only the path tells them apart.
    const box = createSandbox();
    boxes.push(box);
    const body = Array.from(
      { length: 200 },
      (_, i) => `${agentLine('s', `line ${i} ${'x'.repeat(40)}`)}\n`,
    ).join('');
    const a = box.file('one/workspaces/s/events.jsonl');
    const b = box.file('two/workspaces/s/events.jsonl');
    writeFileSync(a, body);
    writeFileSync(b, body);
    const r = await vigil(box, ['ingest', '--json', a, b]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ inserted: 400, duplicates: 0 });
    expect(await countEvents(box)).toBe(400);
  },
);
