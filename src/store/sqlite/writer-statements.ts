import type { Statement } from 'better-sqlite3';

import { EVENT_COLUMNS } from './rows.js';
import type { SqliteDb } from './sqlite-database.js';

/** Rows bound per INSERT statement: amortises statement overhead without huge SQL. */
export const ROWS_PER_INSERT = 16;
export const NCOL = EVENT_COLUMNS.length;

const STATEMENT_NAMES = [
  'insertMany',
  'insertOne',
  'eventIdBySeq',
  'eventHashBySeq',
  'taskHashByRowid',
  'eventBySeq',
  'allSources',
  'insertSource',
  'sourceId',
  'eventsAfter',
  'eventCount',
  'taskByRowid',
  'taskIdByRowid',
  'tasksAfter',
  'taskCount',
  'insertTask',
  'insertTasks',
  'updateTask',
  'upsertRollup',
  'upsertSession',
  'insertFacet',
  'upsertCheckpoint',
  'insertAttrs',
  'attrsIdOf',
  'getMeta',
  'setMeta',
] as const;

/** The statements of the SQLite write path, by name. */
export type WriterStatements = Record<(typeof STATEMENT_NAMES)[number], Statement>;

/** The statements of the SQLite write path, prepared once per connection. */
export function prepareWriterStatements(db: SqliteDb): WriterStatements {
  const one = `(${Array(NCOL).fill('?').join(',')})`;
  const cols = EVENT_COLUMNS.join(',');
  const rcols = [
    'tasks',
    'ended',
    'success',
    'failure',
    'timeout',
    'incomplete',
    'duration_sum_ms',
    'duration_count',
    'tokens_in',
    'tokens_out',
    'tokens_cache_read',
    'tokens_cache_write',
    'cost_reported_usd',
  ];
  const taskCols =
    'task_id, key_hash, model, session_id, started_ts, ended_ts, status, attempts, duration_ms, tokens_in, tokens_out, tokens_cache_read, tokens_cache_write, cost_usd, first_ts, event_count, bucket_ts, span_first_ts, span_last_ts';
  const taskVals = Array(19).fill('?').join(', ');
  return {
    insertMany: db.prepare(
      `INSERT INTO events (${cols}) VALUES ${Array(ROWS_PER_INSERT).fill(one).join(',')}`,
    ),
    insertOne: db.prepare(`INSERT INTO events (${cols}) VALUES ${one}`),
    eventIdBySeq: db.prepare('SELECT id FROM events WHERE seq = ?').pluck(),
    eventHashBySeq: db.prepare('SELECT id_hash FROM events WHERE seq = ?').pluck(),
    taskHashByRowid: db.prepare('SELECT key_hash FROM tasks WHERE rowid_ = ?').pluck(),
    eventBySeq: db.prepare('SELECT * FROM events_v WHERE seq = ?'),
    allSources: db.prepare('SELECT source_id, adapter, file FROM sources'),
    insertSource: db.prepare(
      'INSERT INTO sources (adapter, file) VALUES (?, ?) ON CONFLICT (adapter, file) DO NOTHING',
    ),
    sourceId: db.prepare('SELECT source_id FROM sources WHERE adapter = ? AND file = ?').pluck(),
    eventsAfter: db.prepare('SELECT seq, id_hash FROM events WHERE seq > ? ORDER BY seq').raw(),
    eventCount: db.prepare('SELECT count(*) FROM events').pluck(),
    taskByRowid: db.prepare('SELECT * FROM tasks WHERE rowid_ = ?'),
    taskIdByRowid: db.prepare('SELECT task_id FROM tasks WHERE rowid_ = ?').pluck(),
    tasksAfter: db
      .prepare('SELECT rowid_, key_hash FROM tasks WHERE rowid_ > ? ORDER BY rowid_')
      .raw(),
    taskCount: db.prepare('SELECT count(*) FROM tasks').pluck(),
    insertTask: db.prepare(`INSERT INTO tasks (${taskCols}, rowid_) VALUES (${taskVals}, ?)`),
    insertTasks: db.prepare(
      `INSERT INTO tasks (${taskCols}, rowid_) VALUES ${Array(ROWS_PER_INSERT).fill(`(${taskVals}, ?)`).join(', ')}`,
    ),
    updateTask: db.prepare(`UPDATE tasks SET (${taskCols}) = (${taskVals}) WHERE rowid_ = ?`),
    upsertRollup: db.prepare(
      `INSERT INTO rollup_hourly (hour, model, ${rcols.join(',')}) VALUES (?, ?, ${rcols.map(() => '?').join(',')})
         ON CONFLICT (hour, model) DO UPDATE SET ${rcols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    ),
    upsertSession:
      db.prepare(`INSERT INTO sessions (session_id, first_ts, last_ts, event_count, status, status_ts, tokens_in, tokens_out)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (session_id) DO UPDATE SET
          first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts),
          event_count = event_count + excluded.event_count,
          status = CASE WHEN excluded.status_ts IS NOT NULL AND (status_ts IS NULL OR excluded.status_ts >= status_ts) THEN excluded.status ELSE status END,
          status_ts = CASE WHEN excluded.status_ts IS NOT NULL AND (status_ts IS NULL OR excluded.status_ts >= status_ts) THEN excluded.status_ts ELSE status_ts END,
          tokens_in = tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out`),
    insertFacet: db.prepare(
      'INSERT OR IGNORE INTO session_facets (session_id, facet, value) VALUES (?, ?, ?)',
    ),
    upsertCheckpoint:
      db.prepare(`INSERT OR REPLACE INTO checkpoints (path, adapter, dev, ino, offset, size, head_digest, head_length, lines, content_digest, updated_at)
        VALUES (@path, @adapter, @dev, @ino, @offset, @size, @headDigest, @headLength, @lines, @contentDigest, @updatedAt)`),
    insertAttrs: db.prepare(
      'INSERT INTO attrs_sets (attrs) VALUES (?) ON CONFLICT (attrs) DO NOTHING',
    ),
    attrsIdOf: db.prepare('SELECT attrs_id FROM attrs_sets WHERE attrs = ?').pluck(),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}
