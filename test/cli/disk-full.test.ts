import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createWorkspace,
  jsonl,
  runVigil,
  uuid,
  type RunResult,
  type Workspace,
} from './helpers.js';

// Seed 003, failure matrix row 7: disk full on write -> print the error, do NOT corrupt the
// existing file, exit 3. ENOSPC comes from a real 64 KiB tmpfs: mounted directly as root, else
// (unprivileged) inside a private user+mount namespace with `unshare -Urm`, where the output
// folder's final contents are copied out for inspection before the namespace goes away.

const canMountDirectly = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = createWorkspace('vigil-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe.dir], {
      stdio: 'ignore',
    });
    execFileSync('umount', [probe.dir]);
    return true;
  } catch {
    return false;
  } finally {
    probe.cleanup();
  }
})();
const canUnshare =
  !canMountDirectly &&
  spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs /mnt'], {
    stdio: 'ignore',
  }).status === 0;
const noTmpfs = !canMountDirectly && !canUnshare;

interface TmpfsRun {
  run: RunResult;
  /** The files left in the tmpfs folder after the run, with their bytes. */
  files: Map<string, Buffer>;
}

/** Puts `files` on a fresh tmpfs of `size` at `mnt`, runs the CLI, then reads back the folder. */
async function runOnTinyTmpfs(
  ws: Workspace,
  mnt: string,
  size: string,
  files: Record<string, string>,
  args: string[],
): Promise<TmpfsRun> {
  mkdirSync(mnt, { recursive: true });
  const readBack = (dir: string) =>
    new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
  if (canMountDirectly) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(mnt, name), text);
      const run = await ws.run(args);
      return { run, files: readBack(mnt) };
    } finally {
      execFileSync('umount', [mnt]);
    }
  }
  const stage = join(ws.dir, 'stage');
  const snapshot = join(ws.dir, 'snapshot');
  mkdirSync(stage, { recursive: true });
  mkdirSync(snapshot, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(stage, name), text);
  const script =
    'm=$1 st=$2 sn=$3 z=$4; shift 4; mount -t tmpfs -o size=$z tmpfs "$m" || exit 99; cp -a "$st/." "$m/"; "$@"; rc=$?; cp -a "$m/." "$sn/"; exit $rc';
  const run = await runVigil(args, {
    cwd: ws.dir,
    env: { VIGIL_DATA_DIR: ws.data },
    wrap: ['unshare', '-Urm', 'sh', '-c', script, 'sh', mnt, stage, snapshot, size],
  });
  return { run, files: readBack(snapshot) };
}

let ws: Workspace;
beforeAll(async () => {
  ws = createWorkspace();
  // 400 events whose JSON export is far larger than 64 KiB.
  const events = Array.from({ length: 400 }, (_, i) => ({
    event_id: uuid(20_000 + i),
    event_type: 'task_start',
    timestamp: new Date(Date.UTC(2026, 1, 15, 0, i)).toISOString(),
    task_id: `bulk_${i}`,
    session_id: 'sess_bulk',
    model: 'gpt-5.3-codex',
  }));
  ws.write('bulk/kpis.jsonl', jsonl(events));
  const r = await ws.run(['ingest', 'bulk/kpis.jsonl']);
  expect(r.code).toBe(0);
});
afterAll(() => ws?.cleanup());

const ORIGINAL =
  '{"period":{"start":"2026-01-01","end":"2026-01-07"},"summary":{"total_tasks":3},"events":[]}\n';

describe.skipIf(noTmpfs)(
  'row 7: disk full on write (no tmpfs: neither root mount nor unshare -Urm available)',
  () => {
    it.each(['json', 'csv'])(
      'export --format %s -o to a full disk: exit 3, the old file byte-identical, no temp file left',
      async (format) => {
        const mnt = join(ws.dir, `full-${format}`);
        const out = join(mnt, 'kpis.out');
        const { run, files } = await runOnTinyTmpfs(ws, mnt, '64k', { 'kpis.out': ORIGINAL }, [
          'export',
          '--format',
          format,
          '--since',
          '2026-02-01',
          '--until',
          '2026-03-01',
          '-o',
          out,
        ]);
        expect(run.code).toBe(3);
        expect(run.stdout).toBe('');
        expect(ws.rel(run.stderr)).toBe(
          `vigil: error: full-${format}/kpis.out: ENOSPC while trying to write the output file\n  hint: Free disk space or point --data-dir elsewhere; nothing was half-written. [VIGIL_ERR_DISK]\n`,
        );
        expect([...files.keys()]).toEqual(['kpis.out']);
        expect(files.get('kpis.out')?.toString('utf8')).toBe(ORIGINAL);
      },
    );

    it('the same export fits on a larger tmpfs (so the failure above is the disk, not the command)', async () => {
      const mnt = join(ws.dir, 'roomy');
      const out = join(mnt, 'kpis.out');
      const { run, files } = await runOnTinyTmpfs(ws, mnt, '4m', { 'kpis.out': ORIGINAL }, [
        'export',
        '--format',
        'json',
        '--since',
        '2026-02-01',
        '--until',
        '2026-03-01',
        '-o',
        out,
      ]);
      expect(run.code).toBe(0);
      expect([...files.keys()]).toEqual(['kpis.out']);
      expect(
        (JSON.parse(files.get('kpis.out')?.toString('utf8') ?? '') as { events: unknown[] }).events,
      ).toHaveLength(400);
    });
  },
);

describe.skipIf(!canMountDirectly)(
  'disk full in the data dir during ingest (needs a root mount to grow the tmpfs afterwards)',
  () => {
    it('exit 3 naming the database; committed batches stay, and a rerun on a larger disk stores the rest exactly once', async () => {
      const mnt = join(ws.dir, 'fulldata');
      mkdirSync(mnt);
      const lines = Array.from({ length: 3000 }, (_, i) => ({
        event_id: uuid(30_000 + i),
        event_type: 'task_start',
        timestamp: new Date(Date.UTC(2026, 1, 16, 0, 0, i)).toISOString(),
        task_id: `load_${i}`,
        session_id: 'sess_load',
        model: 'swe-1-5',
        error_message: 'x'.repeat(200),
      }));
      ws.write('load/kpis.jsonl', jsonl(lines));
      const env = { VIGIL_DATA_DIR: join(mnt, 'data'), VIGIL_BATCH_EVENTS: '500' };
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt]);
      try {
        const first = await ws.run(['ingest', '--json', 'load/kpis.jsonl'], { env });
        expect(first.code).toBe(3);
        expect(ws.rel(first.stderr)).toContain(
          'vigil: error: fulldata/data/vigil.db: disk full while trying to write events\n',
        );
        const firstInserted = (JSON.parse(first.stdout) as { inserted: number }).inserted;
        expect(firstInserted).toBeLessThan(3000);
        expect((await ws.run(['events', '--count', '--format', 'json'], { env })).stdout).toBe(
          `{"count":${firstInserted}}\n`,
        );

        execFileSync('mount', ['-o', 'remount,size=16m', mnt]);
        const second = await ws.run(['ingest', '--json', 'load/kpis.jsonl'], { env });
        expect(second.code).toBe(0);
        expect(JSON.parse(second.stdout)).toMatchObject({
          inserted: 3000 - firstInserted,
          duplicates: 0,
          rejected: 0,
        });
        expect((await ws.run(['events', '--count'], { env })).stdout).toBe('3000\n');
        const doctor = await ws.run(['doctor'], { env });
        expect([doctor.code, ws.rel(doctor.stdout)]).toEqual([0, 'ok: fulldata/data/vigil.db\n']);
      } finally {
        execFileSync('umount', [mnt]);
      }
    });
  },
);
