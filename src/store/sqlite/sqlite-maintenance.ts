import {
  addCounters,
  eventContribution,
  HOUR_MS,
  ROLLUP_FIELDS,
  taskContribution,
  zeroCounters,
  type RollupCounters,
} from '../../core/rollup.js';
import type { MaintenanceResult, SanitizableField } from '../types.js';
import { eventFromRow, taskFromRow, type EventRow, type TaskRow } from './rows.js';
import type { SqliteDb } from './sqlite-database.js';

/**
 * Deletes events older than `before`, the tasks that ended before it and the sessions wholly
 * before it, in one transaction; sessions that span the cutoff are recomputed from the events
 * that remain. Tasks still running (no end event) are kept: their end may yet arrive. Hourly
 * aggregates are kept: they hold counts, tokens and cost by model, no ids and no text (seed
 * 003 keeps model and token data indefinitely).
 */
export function prune(db: SqliteDb, before: number, dryRun: boolean): MaintenanceResult {
  const run = () => {
    const events = db
      .prepare('SELECT count(*) FROM events WHERE ts < ?')
      .pluck()
      .get(before) as number;
    const tasks = db
      .prepare(
        'SELECT count(*) FROM tasks WHERE span_last_ts < ? AND (status IS NOT NULL OR event_count = 0)',
      )
      .pluck()
      .get(before) as number;
    const sessions = db
      .prepare('SELECT count(*) FROM sessions WHERE last_ts < ?')
      .pluck()
      .get(before) as number;
    if (dryRun) return { events, tasks, sessions };
    db.exec(
      'CREATE TEMP TABLE IF NOT EXISTS prune_spanning (session_id TEXT PRIMARY KEY); DELETE FROM prune_spanning;',
    );
    db.prepare(
      'INSERT INTO prune_spanning SELECT session_id FROM sessions WHERE first_ts < ? AND last_ts >= ?',
    ).run(before, before);
    db.prepare('DELETE FROM events WHERE ts < ?').run(before);
    if (events > 0) dropUnusedAttrSets(db);
    db.prepare(
      'DELETE FROM tasks WHERE span_last_ts < ? AND (status IS NOT NULL OR event_count = 0)',
    ).run(before);
    db.prepare(
      'DELETE FROM session_facets WHERE session_id IN (SELECT session_id FROM sessions WHERE last_ts < ?)',
    ).run(before);
    db.prepare('DELETE FROM sessions WHERE last_ts < ?').run(before);
    // Sessions that span the cutoff, recomputed from what remains in one pass over the events.
    db.exec(`
      DROP TABLE IF EXISTS temp.prune_agg;
      CREATE TEMP TABLE prune_agg AS
        SELECT session_id, min(ts) AS first_ts, count(*) AS n,
               coalesce(sum(tokens_in), 0) AS tin, coalesce(sum(tokens_out), 0) AS tout
        FROM events WHERE session_id IN (SELECT session_id FROM prune_spanning) GROUP BY session_id;
      DROP TABLE IF EXISTS temp.prune_status;
      CREATE TEMP TABLE prune_status AS
        SELECT session_id, status, ts FROM (
          SELECT session_id, status, ts, row_number() OVER (PARTITION BY session_id ORDER BY ts DESC, seq DESC) AS rn
          FROM events WHERE kind = 'session' AND kind NOT IN ('task', 'llm_call') AND status IS NOT NULL
            AND session_id IN (SELECT session_id FROM prune_spanning))
        WHERE rn = 1;
      UPDATE sessions SET first_ts = a.first_ts, event_count = a.n, tokens_in = a.tin, tokens_out = a.tout,
          status = NULL, status_ts = NULL
        FROM prune_agg a WHERE a.session_id = sessions.session_id;
      UPDATE sessions SET status = p.status, status_ts = p.ts
        FROM prune_status p WHERE p.session_id = sessions.session_id;
      DROP TABLE temp.prune_agg;
      DROP TABLE temp.prune_status;
      DELETE FROM session_facets WHERE session_id IN (SELECT session_id FROM prune_spanning);
      INSERT OR IGNORE INTO session_facets (session_id, facet, value)
        SELECT DISTINCT session_id, 'model', model FROM events WHERE model IS NOT NULL AND session_id IN (SELECT session_id FROM prune_spanning);
      INSERT OR IGNORE INTO session_facets (session_id, facet, value)
        SELECT DISTINCT session_id, 'adapter', source_adapter FROM events_v WHERE session_id IN (SELECT session_id FROM prune_spanning);
      DELETE FROM prune_spanning;`);
    const prev = Number(
      db.prepare("SELECT value FROM meta WHERE key = 'pruned_before'").pluck().get() ?? 0,
    );
    db.prepare(
      "INSERT INTO meta (key, value) VALUES ('pruned_before', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(String(Math.max(prev, before)));
    return { events, tasks, sessions };
  };
  return dryRun ? db.transaction(run).deferred() : db.transaction(run).immediate();
}

/** Deletes attribute sets no event references, and tells writers to forget set ids. */
function dropUnusedAttrSets(db: SqliteDb): void {
  const dropped = db
    .prepare(
      'DELETE FROM attrs_sets WHERE attrs_id NOT IN (SELECT attrs_id FROM events WHERE attrs_id IS NOT NULL)',
    )
    .run().changes;
  if (dropped > 0) bumpAttrsEpoch(db);
}

function bumpAttrsEpoch(db: SqliteDb): void {
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('attrs_epoch', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
  ).run();
}

/**
 * Rewrites one text column of every event through `rewrite`, in one transaction. For attrs,
 * an interned set that changes is written inline into the events that referenced it and the
 * set is deleted, so the old text is gone from the database.
 */
export function rewriteField(
  db: SqliteDb,
  field: SanitizableField,
  rewrite: (value: string) => string | null,
  dryRun: boolean,
): { scanned: number; changed: number } {
  const column = field === 'message' ? 'message' : 'attrs';
  const page = db.prepare(
    `SELECT seq, ${column} AS value FROM events WHERE seq > ? AND ${column} IS NOT NULL ORDER BY seq LIMIT 5000`,
  );
  const update = db.prepare(`UPDATE events SET ${column} = ? WHERE seq = ?`);
  const run = () => {
    let scanned = 0;
    let changed = 0;
    let last = 0;
    for (;;) {
      const rows = page.all(last) as { seq: number; value: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        scanned += 1;
        const next = rewrite(row.value);
        if (next !== row.value) {
          changed += 1;
          if (!dryRun) update.run(next, row.seq);
        }
      }
      last = rows[rows.length - 1]?.seq ?? last;
    }
    if (column === 'attrs') {
      const sets = rewriteAttrSets(db, rewrite, dryRun);
      scanned += sets.scanned;
      changed += sets.changed;
    }
    return { scanned, changed };
  };
  return dryRun ? db.transaction(run).deferred() : db.transaction(run).immediate();
}

/** The interned half of `rewriteField('attrs', ...)`: counts are of events, not sets. */
function rewriteAttrSets(
  db: SqliteDb,
  rewrite: (value: string) => string | null,
  dryRun: boolean,
): { scanned: number; changed: number } {
  const refs = db
    .prepare(
      'SELECT attrs_id AS id, count(*) AS n FROM events WHERE attrs_id IS NOT NULL GROUP BY attrs_id',
    )
    .all() as { id: number; n: number }[];
  if (refs.length === 0) return { scanned: 0, changed: 0 };
  const textOf = db.prepare('SELECT attrs FROM attrs_sets WHERE attrs_id = ?').pluck();
  let scanned = 0;
  let changed = 0;
  const rewritten: [number, string | null][] = [];
  for (const { id, n } of refs) {
    scanned += n;
    const text = textOf.get(id) as string | undefined;
    if (text === undefined) continue;
    const next = rewrite(text);
    if (next === text) continue;
    changed += n;
    rewritten.push([id, next]);
  }
  if (dryRun || rewritten.length === 0) return { scanned, changed };
  db.exec('CREATE TEMP TABLE IF NOT EXISTS attrs_rewrite (old INTEGER PRIMARY KEY, attrs TEXT)');
  db.exec('DELETE FROM attrs_rewrite');
  const add = db.prepare('INSERT INTO attrs_rewrite (old, attrs) VALUES (?, ?)');
  for (const [id, next] of rewritten) add.run(id, next);
  db.exec(`
    UPDATE events SET attrs = (SELECT r.attrs FROM attrs_rewrite r WHERE r.old = events.attrs_id),
        attrs_id = NULL
      WHERE attrs_id IN (SELECT old FROM attrs_rewrite);
    DELETE FROM attrs_sets WHERE attrs_id IN (SELECT old FROM attrs_rewrite);
    DELETE FROM attrs_rewrite;`);
  bumpAttrsEpoch(db);
  return { scanned, changed };
}

/**
 * Checks the database and Vigil's invariants: SQLite's own check, no id stored twice, the
 * seq counter ahead of every row, and every hourly rollup equal to what its tasks and events
 * add up to (for hours after the last prune).
 */
export function checkIntegrity(db: SqliteDb): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  const quick = db.pragma('quick_check', { simple: true });
  if (quick !== 'ok') problems.push(`sqlite quick_check: ${String(quick)}`);
  const dupes = db
    .prepare('SELECT count(*) - count(DISTINCT id) FROM events')
    .pluck()
    .get() as number;
  if (dupes !== 0) problems.push(`${dupes} event ids stored more than once`);
  const dangling = db
    .prepare(
      'SELECT count(*) FROM events WHERE attrs_id IS NOT NULL AND attrs_id NOT IN (SELECT attrs_id FROM attrs_sets)',
    )
    .pluck()
    .get() as number;
  if (dangling !== 0) problems.push(`${dangling} events refer to a missing attribute set`);
  const maxSeq = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  const nextSeq = Number(
    db.prepare("SELECT value FROM meta WHERE key = 'next_seq'").pluck().get() ?? '1',
  );
  if (nextSeq <= maxSeq) problems.push(`next_seq ${nextSeq} is not above max(seq) ${maxSeq}`);
  const prunedBefore = Number(
    db.prepare("SELECT value FROM meta WHERE key = 'pruned_before'").pluck().get() ?? 0,
  );
  const fromHour = Math.ceil(prunedBefore / HOUR_MS) * HOUR_MS + (prunedBefore > 0 ? HOUR_MS : 0);
  const expected = new Map<string, RollupCounters>();
  const add = (hour: number, model: string, c: RollupCounters) => {
    if (hour < fromHour) return;
    const key = `${hour}|${model}`;
    const acc = expected.get(key) ?? zeroCounters();
    expected.set(key, addCounters(acc, c));
  };
  for (const row of db.prepare('SELECT * FROM tasks').iterate() as Iterable<TaskRow>) {
    const c = taskContribution(taskFromRow(row));
    add(c.hour, c.model, c.c);
  }
  for (const row of db
    .prepare(
      `SELECT * FROM events_v WHERE NOT (kind = 'task' AND task_id IS NOT NULL) AND (tokens_in IS NOT NULL OR tokens_out IS NOT NULL OR tokens_cache_read IS NOT NULL OR tokens_cache_write IS NOT NULL OR cost_usd IS NOT NULL)`,
    )
    .iterate() as Iterable<EventRow>) {
    const c = eventContribution(eventFromRow(row));
    if (c) add(c.hour, c.model, c.c);
  }
  const stored = db
    .prepare(
      'SELECT hour, model, tasks, ended, success, failure, timeout, incomplete, duration_sum_ms AS durationSumMs, duration_count AS durationCount, tokens_in AS tokensIn, tokens_out AS tokensOut, tokens_cache_read AS tokensCacheRead, tokens_cache_write AS tokensCacheWrite, cost_reported_usd AS costReportedUsd FROM rollup_hourly WHERE hour >= ?',
    )
    .all(fromHour) as (RollupCounters & { hour: number; model: string })[];
  const seen = new Set<string>();
  for (const r of stored) {
    const key = `${r.hour}|${r.model}`;
    seen.add(key);
    const e = expected.get(key) ?? zeroCounters();
    for (const f of ROLLUP_FIELDS) {
      if (Math.abs(e[f] - r[f]) > 1e-6 * Math.max(1, Math.abs(e[f]))) {
        problems.push(
          `rollup ${new Date(r.hour).toISOString()} model "${r.model}": ${f} is ${r[f]}, events say ${e[f]}`,
        );
        break;
      }
    }
  }
  for (const [key, e] of expected) {
    if (!seen.has(key) && ROLLUP_FIELDS.some((f) => e[f] !== 0))
      problems.push(`rollup ${key} missing`);
  }
  return { ok: problems.length === 0, problems: problems.slice(0, 50) };
}
