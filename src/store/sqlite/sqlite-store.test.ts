import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { VigilError, type ErrorCode } from '../../core/errors.js';
import { describeStoreContract, makeEvent } from '../contract/index.js';
import type { Store } from '../types.js';
import { MIGRATIONS } from './migrations.js';
import { createSqliteStore } from './sqlite-store.js';

describeStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-store-'));
  const path = join(dir, 'vigil.db');
  const opened: Store[] = [];
  const openOne = () => {
    const store = createSqliteStore(path);
    opened.push(store);
    return store;
  };
  return {
    store: openOne(),
    reopen: () => Promise.resolve(openOne()),
    cleanup: async () => {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

/** The VigilError code `fn` throws, or a description of what it did instead. */
function codeOf(fn: () => unknown): ErrorCode | string {
  try {
    const value = fn() as { close?: () => unknown } | undefined;
    void value?.close?.();
    return 'did not throw';
  } catch (error) {
    return error instanceof VigilError ? error.code : `threw ${String(error)}`;
  }
}

describe('SQLite store', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-sqlite-'));
    path = join(dir, 'vigil.db');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a database written by a newer schema version', async () => {
    const store = createSqliteStore(path);
    await store.ingest({ events: [makeEvent({ id: 'kept' })], checkpoints: [] });
    await store.close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    db.close();

    expect(codeOf(() => createSqliteStore(path))).toBe('VIGIL_ERR_STORE_VERSION');
    expect(codeOf(() => createSqliteStore(path, { readonly: true }))).toBe(
      'VIGIL_ERR_STORE_VERSION',
    );
    // Nothing was migrated over the newer data.
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(
      '999',
    );
    expect(check.prepare('SELECT id FROM events').pluck().all()).toEqual(['kept']);
    check.close();
  });

  it('reports a file that is not a database as corrupt', async () => {
    await writeFile(path, 'this is not a SQLite database\n'.repeat(200));
    expect(codeOf(() => createSqliteStore(path))).toBe('VIGIL_ERR_STORE_CORRUPT');
    expect(codeOf(() => createSqliteStore(path, { readonly: true }))).toBe(
      'VIGIL_ERR_STORE_CORRUPT',
    );
  });

  it('reports a missing file opened read-only as not found', () => {
    expect(codeOf(() => createSqliteStore(path, { readonly: true }))).toBe(
      'VIGIL_ERR_FILE_NOT_FOUND',
    );
  });

  it('reports a missing data dir opened read-only as not found', () => {
    expect(
      codeOf(() => createSqliteStore(join(dir, 'missing', 'vigil.db'), { readonly: true })),
    ).toBe('VIGIL_ERR_FILE_NOT_FOUND');
  });

  it('answers queries read-only and refuses writes with a permission error', async () => {
    const writer = createSqliteStore(path);
    const event = makeEvent({ id: 'ro' });
    await writer.ingest({ events: [event], checkpoints: [] });
    await writer.close();
    const reader = createSqliteStore(path, { readonly: true });
    try {
      expect((await reader.queryEvents({})).events).toEqual([event]);
      const error: unknown = await reader
        .ingest({ events: [makeEvent({ id: 'ro-2' })], checkpoints: [] })
        .catch((e: unknown) => e);
      expect(error instanceof VigilError ? error.code : error).toBe('VIGIL_ERR_PERMISSION');
    } finally {
      await reader.close();
    }
  });
});

describe('SQLite attribute sets', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-attrs-'));
    path = join(dir, 'vigil.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const shared = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      makeEvent({ id: `${prefix}-${i}`, attrs: { agent: 'droid', key: 'sk-secret-9' } }),
    );

  it('stores a repeated set once, and sanitize leaves no copy of the old text', async () => {
    const store = createSqliteStore(path);
    const unique = makeEvent({ id: 'u', attrs: { key: 'sk-secret-8' } });
    await store.ingest({ events: [...shared('a', 50), unique], checkpoints: [] });
    const db = new Database(path, { readonly: true });
    const sets = () => db.prepare('SELECT attrs FROM attrs_sets').pluck().all();
    const inline = () =>
      db.prepare('SELECT count(*) FROM events WHERE attrs IS NOT NULL').pluck().get();
    // The first sighting is stored inline, the 49 others share one set.
    expect(sets()).toEqual(['{"agent":"droid","key":"sk-secret-9"}']);
    expect(inline()).toBe(2);
    await store.rewriteField('attrs', (v) => v.replace(/sk-secret-\d/g, '[redacted]'), {
      dryRun: false,
    });
    expect(sets()).toEqual([]);
    const leftovers = db
      .prepare("SELECT count(*) FROM events WHERE attrs LIKE '%sk-secret%'")
      .pluck()
      .get();
    expect(leftovers).toBe(0);
    expect(await store.countEvents({ text: '[redacted]' })).toBe(51);
    db.close();
    await store.close();
  });

  it('prune deletes the sets only pruned events used', async () => {
    const store = createSqliteStore(path);
    await store.ingest({ events: shared('p', 10), checkpoints: [] });
    await store.prune(Date.now(), { dryRun: false });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM attrs_sets').pluck().get()).toBe(0);
    db.close();
    await store.close();
  });

  it('migrates a version 1 database and keeps its events', async () => {
    const v1 = new Database(path);
    v1.exec(MIGRATIONS[0]?.sql ?? '');
    v1.exec(`INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('next_seq', '2');
      INSERT INTO sources (source_id, adapter, file) VALUES (1, 'kpi', '/k.jsonl');
      INSERT INTO events (seq, id, id_hash, type, kind, ts, source_id, attrs)
        VALUES (1, 'old', 1, 'note', 'log', 1000, 1, '{"repo":"x"}');`);
    v1.close();
    const store = createSqliteStore(path);
    expect((await store.queryEvents({})).events.map((e) => [e.id, e.attrs])).toEqual([
      ['old', { repo: 'x' }],
    ]);
    await store.ingest({ events: shared('m', 3), checkpoints: [] });
    expect(await store.countEvents({ text: 'droid' })).toBe(3);
    await store.close();
  });
});

describe('SQLite index snapshots', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-snap-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const events = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      makeEvent({
        id: `${prefix}-${i}`,
        kind: 'task',
        taskId: `${prefix}-task-${i % 7}`,
        status: 'started',
      }),
    );

  it('are written on close and make a later process dedupe without rescanning', async () => {
    const path = join(dir, 'vigil.db');
    const a = createSqliteStore(path);
    await a.ingest({ events: events('a', 500), checkpoints: [] });
    await a.close();
    expect(existsSync(`${path}-ids.idx`)).toBe(true);
    expect(existsSync(`${path}-tasks.idx`)).toBe(true);
    const b = createSqliteStore(path);
    const again = await b.ingest({
      events: [...events('a', 500), ...events('b', 10)],
      checkpoints: [],
    });
    expect(again).toMatchObject({ inserted: 10, duplicates: 500 });
    expect((await b.getTask('a-task-3'))?.eventCount).toBe(Math.ceil((500 - 3) / 7));
    await b.close();
  });

  it('catch up rows written after the snapshot by another process', async () => {
    const path = join(dir, 'vigil.db');
    const a = createSqliteStore(path);
    await a.ingest({ events: events('a', 100), checkpoints: [] });
    await a.close();
    const writer = createSqliteStore(path);
    await writer.ingest({ events: events('late', 50), checkpoints: [] });
    // Killed before closing: its rows are in the table but not in any snapshot.
    const c = createSqliteStore(path);
    const r = await c.ingest({
      events: [...events('late', 50), ...events('a', 100)],
      checkpoints: [],
    });
    expect(r).toMatchObject({ inserted: 0, duplicates: 150 });
    await c.close();
    await writer.close();
  });

  it('are ignored when damaged, from another store, or ending at a pruned row', async () => {
    const path = join(dir, 'vigil.db');
    const other = join(dir, 'other.db');
    const a = createSqliteStore(path);
    await a.ingest({ events: events('a', 200), checkpoints: [] });
    await a.close();
    const o = createSqliteStore(other);
    await o.ingest({ events: events('o', 300), checkpoints: [] });
    await o.close();
    const check = async () => {
      const s = createSqliteStore(path);
      expect(await s.ingest({ events: events('a', 200), checkpoints: [] })).toMatchObject({
        inserted: 0,
        duplicates: 200,
      });
      expect((await s.checkIntegrity()).ok).toBe(true);
      await s.close();
    };
    await writeFile(`${path}-ids.idx`, 'not a snapshot');
    await check();
    await copyFile(`${other}-ids.idx`, `${path}-ids.idx`);
    await check();
    const db = new Database(path);
    db.prepare('DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)').run();
    db.close();
    const s = createSqliteStore(path);
    const r = await s.ingest({ events: events('a', 200), checkpoints: [] });
    expect(r).toMatchObject({ inserted: 1, duplicates: 199 });
    await s.close();
  });
});
