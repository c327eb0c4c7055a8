import { VigilError } from '../../core/errors.js';
import type {
  AggregateQuery,
  Checkpoint,
  EventFilter,
  EventQuery,
  IngestBatch,
  SanitizableField,
  SessionQuery,
  Store,
} from '../types.js';
import {
  checkpointFromRow,
  taskFromRow,
  type CheckpointRow,
  type StoredEventRow,
  type TaskRow,
} from './rows.js';
import { fromSqliteError, openSqliteDatabase, type OpenOptions } from './sqlite-database.js';
import { checkIntegrity, prune, rewriteField } from './sqlite-maintenance.js';
import * as q from './sqlite-queries.js';
import { SqliteWriter } from './sqlite-writer.js';

/**
 * Opens the embedded SQLite store at `path` (created and migrated when missing).
 *
 * @example
 * const store = createSqliteStore(join(dataDir, 'vigil.db'));
 * await store.ingest({ events, checkpoints: [] });
 * const page = await store.queryEvents({ kinds: ['task'], limit: 20 });
 */
export function createSqliteStore(
  path: string,
  options: OpenOptions = {},
): Store & { readonly path: string } {
  const db = openSqliteDatabase(path, options);
  let writer: SqliteWriter | null = null;
  let closed = false;

  const guard = <T>(action: string, fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(new Error('store is closed'));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      if (error instanceof VigilError || error instanceof RangeError) return Promise.reject(error);
      return Promise.reject(fromSqliteError(error, path, action));
    }
  };
  const cp = db.prepare('SELECT * FROM checkpoints WHERE path = ?');
  const taskStatusStmt = db.prepare('SELECT status FROM tasks WHERE rowid_ = ?').pluck();
  const spanStmt = db.prepare(
    'SELECT span_first_ts AS first, span_last_ts AS last FROM tasks WHERE rowid_ = ?',
  );
  const spans: q.Spans = {
    task: (taskId) => {
      writer ??= new SqliteWriter(db, path);
      const rowid = writer.findTaskRowid(taskId);
      return rowid === null
        ? null
        : ((spanStmt.get(rowid) as { first: number; last: number } | undefined) ?? null);
    },
    session: q.sessionSpanOf(db),
  };
  const eventsAfterStmt = db.prepare('SELECT * FROM events_a WHERE seq > ? ORDER BY seq LIMIT ?');
  const lastSeqStmt = db.prepare('SELECT max(seq) FROM events').pluck();
  const cpByInode = db.prepare(
    'SELECT * FROM checkpoints WHERE dev = ? AND ino = ? ORDER BY updated_at DESC LIMIT 1',
  );

  return {
    backend: 'sqlite',
    path,
    ingest: (batch: IngestBatch) =>
      guard('write events', () => {
        writer ??= new SqliteWriter(db, path);
        return writer.ingest(batch);
      }),
    getCheckpoint: (p: string) =>
      guard('read checkpoints', () => {
        const row = cp.get(p) as CheckpointRow | undefined;
        return row ? checkpointFromRow(row) : null;
      }),
    findCheckpointByInode: (dev: number, ino: number) =>
      guard('read checkpoints', () => {
        const row = cpByInode.get(dev, ino) as CheckpointRow | undefined;
        return row ? checkpointFromRow(row) : null;
      }),
    listCheckpoints: () =>
      guard('read checkpoints', () =>
        (db.prepare('SELECT * FROM checkpoints ORDER BY path').all() as CheckpointRow[]).map(
          checkpointFromRow,
        ),
      ) as Promise<Checkpoint[]>,
    eventsAfter: (seq: number, limit: number) =>
      guard('read events', () =>
        (eventsAfterStmt.all(seq, limit) as StoredEventRow[]).map((row) => ({
          seq: row.seq,
          event: q.sourceNamesOf(db).event(row),
        })),
      ),
    lastSeq: () =>
      guard('read events', () => (lastSeqStmt.get() as number | null | undefined) ?? 0),
    hasEventsFrom: (p: string) =>
      guard(
        'read sources',
        () => db.prepare('SELECT 1 FROM sources WHERE file = ? LIMIT 1').get(p) !== undefined,
      ),
    queryEvents: (query: EventQuery) =>
      guard('query events', () => q.queryEvents(db, query, spans)),
    iterateEvents: (filter: EventFilter) => q.iterateEvents(db, filter, spans),
    countEvents: (filter: EventFilter) =>
      guard('count events', () => q.countEvents(db, filter, spans)),
    countByType: (filter: EventFilter) =>
      guard('count events', () => q.countByType(db, filter, spans)),
    getTask: (taskId: string) =>
      guard('read tasks', () => {
        writer ??= new SqliteWriter(db, path);
        const rowid = writer.findTaskRowid(taskId);
        const row =
          rowid === null
            ? undefined
            : (db.prepare('SELECT * FROM tasks WHERE rowid_ = ?').get(rowid) as
                TaskRow | undefined);
        return row && row.event_count > 0 ? taskFromRow(row) : null;
      }),
    aggregateByModel: (query: AggregateQuery) =>
      guard('aggregate', () => q.aggregateByModel(db, query)),
    timeRange: () =>
      guard('read events', () => {
        const row = db.prepare('SELECT min(ts) AS first, max(ts) AS last FROM events').get() as {
          first: number | null;
          last: number | null;
        };
        return row.first === null || row.last === null
          ? null
          : { first: row.first, last: row.last };
      }),
    listSessions: (query: SessionQuery) => guard('list sessions', () => q.listSessions(db, query)),
    getSession: (id: string) =>
      guard('read session', () =>
        q.getSession(db, id, (taskId) => {
          writer ??= new SqliteWriter(db, path);
          const rowid = writer.findTaskRowid(taskId);
          return rowid === null
            ? undefined
            : (taskStatusStmt.get(rowid) as string | null | undefined);
        }),
      ),
    prune: (before: number, opts: { dryRun: boolean }) =>
      guard('prune', () => {
        const result = prune(db, before, opts.dryRun);
        writer?.resetIndexes();
        return result;
      }),
    rewriteField: (
      field: SanitizableField,
      rewrite: (v: string) => string | null,
      opts: { dryRun: boolean },
    ) => guard('sanitize', () => rewriteField(db, field, rewrite, opts.dryRun)),
    checkIntegrity: () => guard('check integrity', () => checkIntegrity(db)),
    close: () => {
      if (!closed) {
        closed = true;
        writer?.saveSnapshots();
        db.close();
      }
      return Promise.resolve();
    },
  };
}
