import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openSqliteDatabase } from './sqlite-database.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('openSqliteDatabase', () => {
  it('checkpoints the WAL at 64 MiB by default and at the size asked for', () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-db-'));
    const path = join(dir, 'vigil.db');
    const bulk = openSqliteDatabase(path);
    const page = Number(bulk.pragma('page_size', { simple: true }));
    expect(Number(bulk.pragma('wal_autocheckpoint', { simple: true }))).toBe((64 << 20) / page);
    expect(bulk.pragma('journal_mode', { simple: true })).toBe('wal');
    bulk.close();
    const hub = openSqliteDatabase(path, { walCheckpointBytes: 4 << 20, busyTimeoutMs: 1000 });
    expect(Number(hub.pragma('wal_autocheckpoint', { simple: true }))).toBe((4 << 20) / page);
    expect(Number(hub.pragma('busy_timeout', { simple: true }))).toBe(1000);
    hub.close();
  });
});
