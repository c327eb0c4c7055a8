import type { EventKind, EventStatus, VigilEvent } from '../../core/event.js';
import {
  addCounters,
  eventContribution,
  HOUR_MS,
  taskContribution,
  zeroCounters,
  type RollupCounters,
} from '../../core/rollup.js';
import type {
  AggregateQuery,
  EventFilter,
  EventPage,
  EventQuery,
  ModelAggregate,
  SessionInfo,
  SessionQuery,
  SessionSummary,
} from '../types.js';
import {
  eventFromRow,
  SourceNames,
  taskFromRow,
  type EventRow,
  type StoredEventRow,
  type TaskRow,
} from './rows.js';
import type { SqliteDb } from './sqlite-database.js';

const BULK_KINDS: readonly EventKind[] = ['task', 'llm_call'];

/** The columns free-text search (`EventFilter.text`) looks in. */
const TEXT_COLUMNS = [
  'message',
  'attrs',
  'type',
  'task_id',
  'session_id',
  'model',
  'phase',
  'agent_role',
] as const;

/** Where every event carrying a task (or session) id lies in time, or null when unknown. */
export type SpanLookup = (id: string) => { first: number; last: number } | null;

export interface Spans {
  task: SpanLookup;
  session: SpanLookup;
}

/** Session spans come straight from the sessions table. */
export function sessionSpanOf(db: SqliteDb): SpanLookup {
  const stmt = db.prepare(
    'SELECT first_ts AS first, last_ts AS last FROM sessions WHERE session_id = ?',
  );
  return (id) => (stmt.get(id) as { first: number; last: number } | undefined) ?? null;
}

/**
 * Builds the WHERE clause of an event filter. A task or session filter becomes the time window
 * of its span (scanned through events_ts) plus the equality test: exact, without random-key
 * indexes on task and session ids.
 */
export function whereOf(filter: EventFilter, spans?: Spans): { sql: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const list = (column: string, values: readonly string[]) => {
    terms.push(`${column} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  if (filter.types?.length) list('type', filter.types);
  if (filter.kinds?.length) {
    list('kind', filter.kinds);
    // Lets SQLite use the partial index events_rare_kind.
    if (!filter.kinds.some((k) => BULK_KINDS.includes(k)))
      terms.push("kind NOT IN ('task', 'llm_call')");
  }
  const eq = (column: string, value: string | undefined) => {
    if (value !== undefined) {
      terms.push(`${column} = ?`);
      params.push(value);
    }
  };
  const windowed = (column: string, value: string | undefined, lookup: SpanLookup | undefined) => {
    if (value === undefined) return;
    const span = lookup ? lookup(value) : null;
    if (lookup && span === null) terms.push('0');
    else {
      if (span) {
        terms.push('ts >= ? AND ts <= ?');
        params.push(span.first, span.last);
      }
      terms.push(`${column} = ?`);
      params.push(value);
    }
  };
  windowed('session_id', filter.sessionId, spans?.session);
  windowed('task_id', filter.taskId, spans?.task);
  eq('phase', filter.phase);
  eq('agent_role', filter.agentRole);
  if (filter.model !== undefined) {
    // An event without a model of its own belongs to its task's model (the task join).
    terms.push(
      '(model = ? OR (model IS NULL AND task_id IN (SELECT task_id FROM tasks WHERE model = ?)))',
    );
    params.push(filter.model, filter.model);
  }
  eq('status', filter.status);
  if (filter.adapter !== undefined) {
    terms.push('source_id IN (SELECT source_id FROM sources WHERE adapter = ?)');
    params.push(filter.adapter);
  }
  if (filter.since !== undefined) {
    terms.push('ts >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    terms.push('ts < ?');
    params.push(filter.until);
  }
  if (filter.text !== undefined && filter.text !== '') {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const columns = TEXT_COLUMNS.map((c) => `${c} LIKE ? ESCAPE '\\'`);
    terms.push(`(${columns.join(' OR ')})`);
    for (const _ of TEXT_COLUMNS) params.push(pattern);
  }
  return { sql: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

const sourceNames = new WeakMap<SqliteDb, SourceNames>();

/** The sources dictionary of a database, cached (sources are never deleted or renumbered). */
export function sourceNamesOf(db: SqliteDb): SourceNames {
  let names = sourceNames.get(db);
  if (names === undefined) {
    names = new SourceNames(db);
    sourceNames.set(db, names);
  }
  return names;
}

function encodeCursor(ts: number, seq: number): string {
  return Buffer.from(`${ts}:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): [number, number] | null {
  const m = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function queryEvents(db: SqliteDb, q: EventQuery, spans?: Spans): EventPage {
  const { sql, params } = whereOf(q, spans);
  const desc = q.descending ?? false;
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
  let where = sql;
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    if (c === null) throw new RangeError(`invalid cursor: ${q.cursor}`);
    where += `${where ? ' AND' : 'WHERE'} (ts, seq) ${desc ? '<' : '>'} (?, ?)`;
    params.push(c[0], c[1]);
  }
  const order = desc ? 'DESC' : 'ASC';
  const rows = db
    .prepare(`SELECT * FROM events_a ${where} ORDER BY ts ${order}, seq ${order} LIMIT ?`)
    .all(...params, limit + 1) as StoredEventRow[];
  const names = sourceNamesOf(db);
  const more = rows.length > limit;
  if (more) rows.pop();
  const last = rows[rows.length - 1];
  return {
    events: rows.map((r) => names.event(r)),
    nextCursor: more && last ? encodeCursor(last.ts, last.seq) : null,
  };
}

export async function* iterateEvents(
  db: SqliteDb,
  filter: EventFilter,
  spans?: Spans,
): AsyncIterable<VigilEvent> {
  let cursor: string | undefined;
  for (;;) {
    const page = queryEvents(db, { ...filter, limit: 2000, cursor }, spans);
    for (const e of page.events) yield e;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

export function countEvents(db: SqliteDb, filter: EventFilter, spans?: Spans): number {
  const { sql, params } = whereOf(filter, spans);
  return db
    .prepare(`SELECT count(*) FROM events_a ${sql}`)
    .pluck()
    .get(...params) as number;
}

export function countByType(
  db: SqliteDb,
  filter: EventFilter,
  spans?: Spans,
): { type: string; kind: EventKind; count: number }[] {
  const { sql, params } = whereOf(filter, spans);
  return db
    .prepare(
      `SELECT type, kind, count(*) AS count FROM events_a ${sql} GROUP BY type, kind ORDER BY count DESC, type`,
    )
    .all(...params) as { type: string; kind: EventKind; count: number }[];
}

const ROLLUP_SUMS = `sum(tasks) AS tasks, sum(ended) AS ended, sum(success) AS success, sum(failure) AS failure,
  sum(timeout) AS timeout, sum(incomplete) AS incomplete, sum(duration_sum_ms) AS durationSumMs,
  sum(duration_count) AS durationCount, sum(tokens_in) AS tokensIn, sum(tokens_out) AS tokensOut,
  sum(tokens_cache_read) AS tokensCacheRead, sum(tokens_cache_write) AS tokensCacheWrite,
  sum(cost_reported_usd) AS costReportedUsd`;

/**
 * Per-model aggregates over [since, until): whole hours from the rollup, the ragged edges
 * folded from the task join and the raw events with the same contribution functions.
 */
export function aggregateByModel(db: SqliteDb, q: AggregateQuery): ModelAggregate[] {
  const out = new Map<string, RollupCounters>();
  const add = (model: string, c: RollupCounters) => {
    let acc = out.get(model);
    if (acc === undefined) {
      acc = zeroCounters();
      out.set(model, acc);
    }
    addCounters(acc, c);
  };
  const firstHour = Math.ceil(q.since / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(q.until / HOUR_MS) * HOUR_MS;
  const edges: [number, number][] = [];
  if (firstHour < lastHour) {
    const modelTerm = q.model !== undefined ? 'AND model = ?' : '';
    const rows = db
      .prepare(
        `SELECT model, ${ROLLUP_SUMS} FROM rollup_hourly WHERE hour >= ? AND hour < ? ${modelTerm} GROUP BY model`,
      )
      .all(firstHour, lastHour, ...(q.model !== undefined ? [q.model] : [])) as (RollupCounters & {
      model: string;
    })[];
    for (const r of rows) add(r.model, r);
    if (q.since < firstHour) edges.push([q.since, firstHour]);
    if (lastHour < q.until) edges.push([lastHour, q.until]);
  } else if (q.since < q.until) {
    edges.push([q.since, q.until]);
  }
  for (const [from, to] of edges) {
    const tasks = db
      .prepare('SELECT * FROM tasks WHERE bucket_ts >= ? AND bucket_ts < ? AND event_count > 0')
      .all(from, to) as TaskRow[];
    for (const row of tasks) {
      const c = taskContribution(taskFromRow(row));
      if (q.model === undefined || c.model === q.model) add(c.model, c.c);
    }
    const events = db
      .prepare(
        `SELECT * FROM events_v WHERE ts >= ? AND ts < ? AND NOT (kind = 'task' AND task_id IS NOT NULL)
        AND (tokens_in IS NOT NULL OR tokens_out IS NOT NULL OR tokens_cache_read IS NOT NULL OR tokens_cache_write IS NOT NULL OR cost_usd IS NOT NULL)`,
      )
      .all(from, to) as EventRow[];
    for (const row of events) {
      const c = eventContribution(eventFromRow(row));
      if (c !== null && (q.model === undefined || c.model === q.model)) add(c.model, c.c);
    }
  }
  return [...out]
    .map(([model, c]) => ({ model, ...c }))
    .filter(
      (m) =>
        m.tasks !== 0 ||
        m.tokensIn !== 0 ||
        m.tokensOut !== 0 ||
        m.tokensCacheRead !== 0 ||
        m.tokensCacheWrite !== 0 ||
        m.costReportedUsd !== 0,
    )
    .sort((a, b) => b.tasks - a.tasks || a.model.localeCompare(b.model));
}

interface SessionRow {
  session_id: string;
  first_ts: number;
  last_ts: number;
  event_count: number;
  status: string | null;
  tokens_in: number;
  tokens_out: number;
}

function facetsOf(db: SqliteDb, sessionId: string): { models: string[]; adapters: string[] } {
  const rows = db
    .prepare('SELECT facet, value FROM session_facets WHERE session_id = ? ORDER BY value')
    .all(sessionId) as { facet: string; value: string }[];
  return {
    models: rows.filter((r) => r.facet === 'model').map((r) => r.value),
    adapters: rows.filter((r) => r.facet === 'adapter').map((r) => r.value),
  };
}

function sessionInfo(db: SqliteDb, r: SessionRow): SessionInfo {
  return {
    sessionId: r.session_id,
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    eventCount: r.event_count,
    status: r.status as EventStatus | null,
    ...facetsOf(db, r.session_id),
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
  };
}

export function listSessions(db: SqliteDb, q: SessionQuery): SessionInfo[] {
  const terms: string[] = [];
  const params: unknown[] = [];
  // A session belongs to a range when its activity overlaps it.
  if (q.since !== undefined) {
    terms.push('last_ts >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    terms.push('first_ts < ?');
    params.push(q.until);
  }
  const rows = db
    .prepare(
      `SELECT * FROM sessions ${terms.length ? `WHERE ${terms.join(' AND ')}` : ''} ORDER BY first_ts DESC LIMIT ?`,
    )
    .all(...params, Math.min(q.limit ?? 1000, 100_000)) as SessionRow[];
  return rows.map((r) => sessionInfo(db, r));
}

export function getSession(
  db: SqliteDb,
  sessionId: string,
  taskStatus: (taskId: string) => string | null | undefined,
): SessionSummary | null {
  const row = db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(sessionId) as
    SessionRow | undefined;
  if (row === undefined) return null;
  const byType = db
    .prepare(
      'SELECT type, kind, count(*) AS n FROM events WHERE ts >= ? AND ts <= ? AND session_id = ? GROUP BY type, kind',
    )
    .all(row.first_ts, row.last_ts, sessionId) as { type: string; kind: EventKind; n: number }[];
  const countsByKind: Partial<Record<EventKind, number>> = {};
  // Types are any string a source wrote: without a prototype, `__proto__` is a key like others.
  const countsByType = Object.create(null) as Record<string, number>;
  for (const r of byType) {
    countsByKind[r.kind] = (countsByKind[r.kind] ?? 0) + r.n;
    countsByType[r.type] = (countsByType[r.type] ?? 0) + r.n;
  }
  // The session's tasks: those with a task event in it (found in the session's time window).
  const taskIds = db
    .prepare(
      "SELECT DISTINCT task_id FROM events WHERE ts >= ? AND ts <= ? AND session_id = ? AND kind = 'task' AND task_id IS NOT NULL",
    )
    .pluck()
    .all(row.first_ts, row.last_ts, sessionId) as string[];
  const taskRows = taskIds.map((id) => ({ status: taskStatus(id) ?? null }));
  const phases = db
    .prepare(
      'SELECT phase, min(ts) AS first FROM events WHERE ts >= ? AND ts <= ? AND session_id = ? AND phase IS NOT NULL GROUP BY phase ORDER BY first',
    )
    .all(row.first_ts, row.last_ts, sessionId) as { phase: string }[];
  return {
    ...sessionInfo(db, row),
    countsByKind,
    countsByType,
    tasks: {
      total: taskRows.length,
      success: taskRows.filter((t) => t.status === 'success').length,
      failure: taskRows.filter((t) => t.status === 'failure' || t.status === 'timeout').length,
      incomplete: taskRows.filter((t) => t.status === null).length,
    },
    phases: phases.map((p) => p.phase),
  };
}
