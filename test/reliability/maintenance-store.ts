/**
 * The store the D2 cases work on: ~50k KPI events, half old (200 days back, prunable with
 * `--older-than 30d`) and half recent (last two days), sessions spanning the cutoff, and a third
 * of the messages holding secrets for `sanitize`. Built once per test file and copied per run.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createRng, createSandbox, uuidFrom, vigil, type Sandbox } from './helpers.js';

export const DAY_MS = 86_400_000;
export const SECRET_MESSAGE =
  'login failed for bob@example.com with password=hunter2 in /home/alice/proj';

export interface KpiRecord {
  id: string;
  line: string;
  old: boolean;
}

/** `n` KPI lines; `old` decides each line's age. Timestamps are relative to `now`. */
export function maintenanceLines(
  seed: number,
  n: number,
  now: number,
  old: (i: number) => boolean,
): KpiRecord[] {
  const rng = createRng(seed);
  const out: KpiRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = uuidFrom(rng);
    const isOld = old(i);
    const ts = isOld
      ? now - 200 * DAY_MS + i * 1000
      : now - 2 * DAY_MS + Math.floor(rng() * DAY_MS);
    const kind = i % 3;
    const record: Record<string, unknown> = {
      event_id: id,
      event_type: kind === 0 ? 'task_start' : kind === 1 ? 'task_end' : 'error',
      timestamp: new Date(ts).toISOString(),
      task_id: `task_${i % 499}`,
      session_id: `sess_${i % 11}`,
      model: ['gpt-5.3-codex', 'claude-sonnet-4-5'][i % 2],
      error_message: i % 3 === 2 || i % 7 === 0 ? `${SECRET_MESSAGE} #${i}` : `plain message ${i}`,
    };
    if (kind === 1)
      Object.assign(record, {
        status: 'success',
        tokens_input: 100 + (i % 50),
        tokens_output: 10 + (i % 7),
        duration_seconds: 3,
      });
    out.push({ id, line: JSON.stringify(record), old: isOld });
  }
  return out;
}

export interface PristineStore {
  /** The sandbox the store was built in (its data dir is left as built). */
  box: Sandbox;
  /** A copy of the data dir, taken with no process holding the database. */
  pristine: string;
  records: KpiRecord[];
  now: number;
}

/** Ingests `n` events into a fresh sandbox and keeps a copy of its data dir. */
export async function buildPristineStore(n = 50_000, seed = 2002): Promise<PristineStore> {
  const box = createSandbox('vigil-d2-');
  const now = Date.now();
  const records = maintenanceLines(seed, n, now, (i) => i % 2 === 0);
  const file = box.file('.droid/kpis.jsonl');
  writeFileSync(file, records.map((r) => `${r.line}\n`).join(''));
  const r = await vigil(box, ['ingest', file]);
  if (r.code !== 0) throw new Error(`building the D2 store failed (${r.code}): ${r.stderr}`);
  const pristine = join(box.dir, 'pristine');
  cpSync(box.dataDir, pristine, { recursive: true });
  return { box, pristine, records, now };
}

/** Replaces `box`'s data dir with a copy of the pristine one. */
export function restore(box: Sandbox, pristine: string): void {
  rmSync(box.dataDir, { recursive: true, force: true });
  cpSync(pristine, box.dataDir, { recursive: true });
}
