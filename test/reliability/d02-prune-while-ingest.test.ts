/**
 * D2: `prune` (and `sanitize`) running while an ingest of new, recent (not prunable) events is
 * under way. No new event may be lost or doubled: afterwards the store holds exactly the recent
 * events of the old store plus every newly written id, each once, and doctor is ok.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, expect, test } from 'vitest';

import {
  countEvents,
  doctor,
  finished,
  missingFrom,
  repeated,
  startVigil,
  storedIds,
  vigil,
  waitFor,
  type Sandbox,
} from './helpers.js';
import { buildPristineStore, maintenanceLines } from './maintenance-store.js';

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

test('D2: prune and sanitize while ingesting recent events: no new event lost, old ones pruned', async () => {
  const started = performance.now();
  const { box, records, now } = await buildPristineStore(20_000, 2020);
  boxes.push(box);
  const oldCount = records.filter((r) => r.old).length;
  const fresh = maintenanceLines(2121, 60_000, now, () => false);
  const live = box.file('live/kpis.jsonl');
  writeFileSync(live, fresh.map((r) => `${r.line}\n`).join(''));

  // Start the ingest and wait for its first commit (the WAL gets written) before maintenance runs.
  const wal = join(box.dataDir, 'vigil.db-wal');
  const walSize = () => {
    try {
      return statSync(wal).size;
    } catch {
      return 0;
    }
  };
  // Small batches on one thread: the ingest lasts long enough for maintenance to overlap it
  // (in a worker thread it can be over before the first prune has started).
  const child = startVigil(box, ['ingest', live], {
    VIGIL_BATCH_EVENTS: '500',
    VIGIL_INGEST_WORKER: 'never',
  });
  const ingestState = { done: false };
  const ingest = finished(child).finally(() => (ingestState.done = true));
  await waitFor(
    () => (ingestState.done || walSize() > 0 ? true : undefined),
    60_000,
    'the first commit of the ingest',
    1,
  );

  let overlapped = 0;
  let runs = 0;
  let pruned = 0;
  while (!ingestState.done) {
    const args =
      runs % 2 === 0
        ? ['prune', '--older-than', '30d', '--json']
        : ['sanitize', '--field', 'error_message', '--json'];
    const r = await vigil(box, args);
    expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    if (args[0] === 'prune') pruned += (JSON.parse(r.stdout) as { events: number }).events;
    runs += 1;
    if (!ingestState.done) overlapped += 1;
  }
  const ing = await ingest;
  expect(ing.code, ing.stderr).toBe(0);
  // A last prune: anything old is gone whatever the interleaving.
  const last = await vigil(box, ['prune', '--older-than', '30d', '--json']);
  pruned += (JSON.parse(last.stdout) as { events: number }).events;
  expect(pruned).toBe(oldCount);

  const expected = new Set([
    ...records.filter((r) => !r.old).map((r) => r.id),
    ...fresh.map((r) => r.id),
  ]);
  const ids = await storedIds(box);
  expect(repeated(ids)).toEqual([]);
  const stored = new Set(ids);
  expect(
    missingFrom(
      fresh.map((r) => r.id),
      stored,
    ),
    'new events lost',
  ).toEqual([]);
  expect(missingFrom(stored, expected), 'events that should not be there').toEqual([]);
  expect(missingFrom(expected, stored), 'events missing').toEqual([]);
  expect(await countEvents(box)).toBe(expected.size);
  expect(await doctor(box)).toMatchObject({ ok: true, problems: [] });
  // The ingest resumes nothing more: its checkpoint agrees with what is stored.
  const again = await vigil(box, ['ingest', '--json', live]);
  expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 0, duplicates: 0 });

  console.log(
    `D2 concurrent: ${runs} prune/sanitize runs during the ingest, ${overlapped} finished while it was still running; ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  expect(overlapped).toBeGreaterThanOrEqual(1);
}, 180_000);
