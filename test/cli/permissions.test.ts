import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, type RunOptions, type Workspace } from './helpers.js';
import { endEvent, startEvent, TASKS, type TaskRow } from './kpi-fixture.js';

// Seed 003, failure matrix row 6: file permission denied -> print the path and the permission
// needed, exit 3. Root reads through chmod 000, so as root the CLI runs as `nobody` (65534)
// with a workspace it can enter and a data dir it owns; otherwise it runs as the current user.

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const child: Omit<RunOptions, 'cwd'> = asRoot ? { uid: NOBODY, gid: NOBODY } : {};

let ws: Workspace;
let kpi: string;
beforeEach(() => {
  ws = createWorkspace();
  kpi = ws.write(
    '.droid/kpis.jsonl',
    jsonl([startEvent(TASKS[1] as TaskRow), endEvent(TASKS[1] as TaskRow)]),
  );
  if (asRoot) {
    chmodSync(ws.dir, 0o755);
    mkdirSync(ws.data);
    chownSync(ws.data, NOBODY, NOBODY);
  }
});
afterEach(() => {
  chmodSync(join(ws.dir, '.droid'), 0o755);
  chmodSync(kpi, 0o644);
  ws.cleanup();
});

describe('row 6: file permission denied', () => {
  it('the setup really denies the read (so the test can fail)', async () => {
    chmodSync(kpi, 0o000);
    const r = await ws.run(['ingest', '.droid/kpis.jsonl'], child);
    expect(r.code).not.toBe(0);
    chmodSync(kpi, 0o644);
    const ok = await ws.run(['ingest', '.droid/kpis.jsonl'], child);
    expect(ok.code).toBe(0);
  });

  it('an unreadable KPI file named on the command line: path and "permission", exit 3', async () => {
    chmodSync(kpi, 0o000);
    const r = await ws.run(['ingest', '.droid/kpis.jsonl'], child);
    expect(r.code).toBe(3);
    expect(ws.rel(r.stderr)).toContain(
      'vigil: error: .droid/kpis.jsonl: permission denied (read the file); needs read permission\n',
    );
  });

  it('an unreadable KPI file at the default path: the same, exit 3 (not "no KPI file yet")', async () => {
    chmodSync(kpi, 0o000);
    const r = await ws.run(['ingest'], child);
    expect(r.code).toBe(3);
    expect(ws.rel(r.stderr)).toContain('.droid/kpis.jsonl: permission denied');
    expect(r.stderr).not.toContain('no KPI file yet');
  });

  it('nothing is stored and a later readable run stores everything', async () => {
    chmodSync(kpi, 0o000);
    await ws.run(['ingest'], child);
    chmodSync(kpi, 0o644);
    const r = await ws.run(['ingest'], child);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ingested 2 events from 1 file/m);
  });

  // A folder that cannot be entered hides whether the file exists; reporting "not found"
  // sends the user looking for a file that is there.
  it('a KPI file inside a folder that cannot be entered, named explicitly: "permission", exit 3', async () => {
    chmodSync(join(ws.dir, '.droid'), 0o000);
    const r = await ws.run(['ingest', '.droid/kpis.jsonl'], child);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\.droid\/kpis\.jsonl.*permission/);
    expect(r.stderr).not.toContain('not found');
  });

  it('a KPI file inside a folder that cannot be entered, at the default path: exit 3, not a silent "no KPI file yet"', async () => {
    chmodSync(join(ws.dir, '.droid'), 0o000);
    const r = await ws.run(['ingest'], child);
    expect(r.stderr).not.toContain('no KPI file yet');
    expect(r.stderr).toMatch(/\.droid.*permission/);
    expect(r.code).toBe(3);
  });

  it('a data dir that exists but cannot be written: path and "permission", exit 3', async () => {
    const data = join(ws.dir, 'ro-data');
    mkdirSync(data);
    chmodSync(data, 0o555);
    const r = await ws.run(['ingest', '.droid/kpis.jsonl'], {
      ...child,
      env: { VIGIL_DATA_DIR: data },
    });
    expect(r.code).toBe(3);
    expect(ws.rel(r.stderr)).toContain('vigil: error: ro-data/vigil.db: cannot open the database');
    expect(r.stderr).toContain('the data dir needs read and write permission');
  });

  it('a data dir that cannot be created (its parent is read-only): path and "permission", exit 3', async () => {
    const locked = join(ws.dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const r = await ws.run(['ingest', '.droid/kpis.jsonl'], {
      ...child,
      env: { VIGIL_DATA_DIR: join(locked, 'data') },
    });
    expect(r.stderr).not.toContain('internal error');
    expect(ws.rel(r.stderr)).toContain('locked/data');
    expect(r.stderr).toMatch(/permission/i);
    expect(r.code).toBe(3);
  });
});
