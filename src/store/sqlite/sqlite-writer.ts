import {
  bodyHashOf,
  decodeEvent,
  encodedBodyHash,
  encodeEvents,
  F,
  STRIDE,
  type EncodedEvents,
} from '../../core/encoded.js';
import type { EventKind, EventStatus, VigilEvent } from '../../core/event.js';
import { hash53 } from '../../core/hash.js';
import {
  addCounters,
  eventContribution,
  ROLLUP_FIELDS,
  taskContribution,
  zeroCounters,
  type RollupCounters,
} from '../../core/rollup.js';
import {
  emptyTask,
  foldTaskEvent,
  mergeTasks,
  taskBucketTs,
  touchTaskSpan,
  type TaskState,
} from '../../core/tasks.js';
import type { IngestBatch, IngestBatchResult } from '../types.js';
import { IdIndex } from './id-index.js';
import { EVENT_COLUMNS, eventFromRow, taskFromRow, type EventRow, type TaskRow } from './rows.js';
import type { SqliteDb } from './sqlite-database.js';

/** Rows bound per INSERT statement: amortises statement overhead without huge SQL. */
const ROWS_PER_INSERT = 16;
const NCOL = EVENT_COLUMNS.length;

interface SessionDelta {
  firstTs: number;
  lastTs: number;
  count: number;
  status: string | null;
  statusTs: number | null;
  tokensIn: number;
  tokensOut: number;
  facets: Set<string>;
}

/** A task touched by the batch: its folded partial state and where it lives, if stored. */
interface TouchedTask {
  partial: TaskState;
  rowid: number | null;
}

/**
 * The SQLite write path. One IMMEDIATE transaction per batch: dedupe, insert, fold tasks,
 * roll up, checkpoint. A kill at any moment leaves the batch wholly stored or wholly absent and
 * the checkpoint always agrees with the stored events.
 *
 * Events and tasks are append-only tables (rowids from counters in `meta`); the unique keys
 * (event id, task id) live in in-memory hash indexes that are caught up from the tables at the
 * start of every write transaction, so concurrent writers stay exact. This avoids random
 * B-tree inserts, whose cost grows with the store.
 */
export class SqliteWriter {
  private ids: IdIndex | null = null;
  private idsSeq = 0;
  private tasks: IdIndex | null = null;
  private tasksRowid = 0;
  /** (adapter, file) → source_id; a cache of the small sources table. */
  private sources: Map<string, number> | null = null;
  /** State of the current dedupe probe (kept on the instance to avoid a closure per event). */
  private probeId = '';
  private probeValues: unknown[] = [];
  private probePending: number[] = [];
  private probeFirstSeq = 0;
  private readonly confirmId = (seq: number): boolean => {
    if (seq >= this.probeFirstSeq) {
      const j = this.probePending[seq - this.probeFirstSeq];
      return j !== undefined && this.probeValues[j * STRIDE] === this.probeId;
    }
    return this.s.eventIdBySeq.get(seq) === this.probeId;
  };
  private readonly s;

  constructor(private readonly db: SqliteDb) {
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
    this.s = {
      insertMany: db.prepare(
        `INSERT INTO events (${cols}) VALUES ${Array(ROWS_PER_INSERT).fill(one).join(',')}`,
      ),
      insertOne: db.prepare(`INSERT INTO events (${cols}) VALUES ${one}`),
      eventIdBySeq: db.prepare('SELECT id FROM events WHERE seq = ?').pluck(),
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
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  /** Forgets the in-memory indexes (after a failed transaction or a prune); rebuilt on use. */
  resetIndexes(): void {
    this.sources = null;
    this.ids = null;
    this.idsSeq = 0;
    this.tasks = null;
    this.tasksRowid = 0;
  }

  /** Bytes held by the in-memory indexes. */
  get indexBytes(): number {
    return (this.ids?.byteLength ?? 0) + (this.tasks?.byteLength ?? 0);
  }

  ingest(batch: IngestBatch): IngestBatchResult {
    const encoded = batch.encoded ?? encodeEvents(batch.events ?? []);
    try {
      return this.db.transaction(() => this.write(encoded, batch)).immediate();
    } catch (error) {
      // The indexes may hold keys of rows that were rolled back: rebuild them next time.
      this.resetIndexes();
      throw error;
    }
  }

  /** The rowid of a stored task, through the in-memory index (read-only use). */
  findTaskRowid(taskId: string): number | null {
    return this.db
      .transaction(() => {
        const index = this.syncTasks();
        return index.find(hash53(taskId), (rowid) => this.s.taskIdByRowid.get(rowid) === taskId);
      })
      .deferred();
  }

  private syncIds(): IdIndex {
    if (this.ids === null) {
      this.ids = new IdIndex(Math.max((this.s.eventCount.get() as number) * 2, 1 << 16));
      this.idsSeq = 0;
    }
    for (const row of this.s.eventsAfter.iterate(this.idsSeq) as Iterable<[number, number]>) {
      this.ids.insert(row[1], row[0]);
      this.idsSeq = row[0];
    }
    return this.ids;
  }

  private syncTasks(): IdIndex {
    if (this.tasks === null) {
      this.tasks = new IdIndex(Math.max((this.s.taskCount.get() as number) * 2, 1 << 14));
      this.tasksRowid = 0;
    }
    for (const row of this.s.tasksAfter.iterate(this.tasksRowid) as Iterable<[number, number]>) {
      this.tasks.insert(row[1], row[0]);
      this.tasksRowid = row[0];
    }
    return this.tasks;
  }

  private sourceIdOf(adapter: string, file: string | null): number {
    if (this.sources === null) {
      this.sources = new Map();
      for (const r of this.s.allSources.iterate() as Iterable<{
        source_id: number;
        adapter: string;
        file: string;
      }>) {
        this.sources.set(`${r.adapter}\u0000${r.file}`, r.source_id);
      }
    }
    const key = `${adapter}\u0000${file ?? ''}`;
    let id = this.sources.get(key);
    if (id === undefined) {
      this.s.insertSource.run(adapter, file ?? '');
      id = this.s.sourceId.get(adapter, file ?? '') as number;
      this.sources.set(key, id);
    }
    return id;
  }

  /** Body hash of a stored event, for telling a replay from a conflict (rare path). */
  private storedBodyHash(seq: number, pendingEnc: EncodedEvents): number {
    if (seq >= this.probeFirstSeq) {
      return encodedBodyHash(pendingEnc, this.probePending[seq - this.probeFirstSeq] as number);
    }
    const row = this.s.eventBySeq.get(seq) as EventRow;
    return bodyHashOf(eventFromRow(row), row.attrs);
  }

  private write(enc: EncodedEvents, batch: IngestBatch): IngestBatchResult {
    let inserted = 0;
    let duplicates = 0;
    let conflicts = 0;
    const committed: number[] = [];
    if (enc.count > 0) {
      const ids = this.syncIds();
      ids.reserve(enc.count);
      const v = enc.values;
      let nextSeq = Number(this.s.getMeta.get('next_seq') ?? '1');
      const pending: number[] = [];
      this.probeValues = v;
      this.probePending = pending;
      this.probeFirstSeq = nextSeq;
      const params: unknown[] = new Array(ROWS_PER_INSERT * NCOL);
      let filled = 0;
      let lastSourceKey = '';
      let lastSourceId = 0;
      const tasks = new Map<string, TouchedTask>();
      const rollup = new Map<string, RollupCounters>();
      const sessions = new Map<string, SessionDelta>();
      for (let i = 0; i < enc.count; i++) {
        const o = i * STRIDE;
        this.probeId = v[o] as string;
        const hash = v[o + F.idHash] as number;
        const seq = ids.find(hash, this.confirmId);
        if (seq !== null) {
          duplicates += 1;
          if (this.storedBodyHash(seq, enc) !== encodedBodyHash(enc, i)) conflicts += 1;
          continue;
        }
        const newSeq = nextSeq++;
        ids.insert(hash, newSeq);
        pending.push(i);
        const adapter = v[o + F.adapter] as string;
        const file = v[o + F.file] as string | null;
        const sourceKey = file === null ? adapter : `${adapter}\u0000${file}`;
        if (sourceKey !== lastSourceKey) {
          lastSourceKey = sourceKey;
          lastSourceId = this.sourceIdOf(adapter, file);
        }
        const p = filled * NCOL;
        params[p] = newSeq;
        params[p + 1] = v[o];
        params[p + 2] = hash;
        for (let k = 3; k <= 18; k++) params[p + k] = v[o + k];
        params[p + 19] = lastSourceId;
        params[p + 20] = v[o + F.line];
        params[p + 21] = v[o + F.offset];
        params[p + 22] = v[o + F.attrs];
        filled += 1;
        if (filled === ROWS_PER_INSERT) {
          this.s.insertMany.run(params);
          filled = 0;
        }
        inserted += 1;
        committed.push(i);
        this.accumulate(v, o, tasks, rollup, sessions);
      }
      for (let r = 0; r < filled; r++) this.s.insertOne.run(params.slice(r * NCOL, (r + 1) * NCOL));
      this.probeValues = [];
      this.probePending = [];
      this.idsSeq = nextSeq - 1;
      this.s.setMeta.run('next_seq', String(nextSeq));
      this.flushTasks(tasks, rollup);
      this.flushRollup(rollup);
      this.flushSessions(sessions);
    }
    for (const cp of batch.checkpoints) this.s.upsertCheckpoint.run(cp);
    const events = batch.events;
    let decoded: VigilEvent[] | null = null;
    return {
      inserted,
      duplicates,
      conflicts,
      // Decoded on demand: the CLI never reads them, the live bus does.
      get committed() {
        decoded ??= events
          ? committed.map((i) => events[i] as VigilEvent)
          : committed.map((i) => decodeEvent(enc, i));
        return decoded;
      },
    };
  }

  private accumulate(
    v: unknown[],
    o: number,
    tasks: Map<string, TouchedTask>,
    rollup: Map<string, RollupCounters>,
    sessions: Map<string, SessionDelta>,
  ): void {
    const kind = v[o + F.kind] as EventKind;
    const taskId = v[o + F.taskId] as string | null;
    const ts = v[o + F.ts] as number;
    const model = v[o + F.model] as string | null;
    const status = v[o + F.status] as EventStatus | null;
    const tokensIn = v[o + F.tokensIn] as number | null;
    const tokensOut = v[o + F.tokensOut] as number | null;
    const sessionId = v[o + F.sessionId] as string | null;
    if (taskId !== null) {
      let t = tasks.get(taskId);
      if (t === undefined) {
        t = { partial: emptyTask(taskId, ts), rowid: null };
        tasks.set(taskId, t);
      }
      if (kind === 'task') {
        foldTaskEvent(
          t.partial,
          ts,
          model,
          sessionId,
          status,
          v[o + F.durationMs] as number | null,
          tokensIn,
          tokensOut,
          v[o + F.tokensCacheRead] as number | null,
          v[o + F.tokensCacheWrite] as number | null,
          v[o + F.costUsd] as number | null,
        );
      } else touchTaskSpan(t.partial, ts);
    }
    if (
      (kind !== 'task' || taskId === null) &&
      (tokensIn !== null ||
        tokensOut !== null ||
        v[o + F.tokensCacheRead] !== null ||
        v[o + F.tokensCacheWrite] !== null ||
        v[o + F.costUsd] !== null)
    ) {
      const c = eventContribution({
        kind,
        taskId,
        ts,
        model,
        tokensIn,
        tokensOut,
        tokensCacheRead: v[o + F.tokensCacheRead] as number | null,
        tokensCacheWrite: v[o + F.tokensCacheWrite] as number | null,
        costUsd: v[o + F.costUsd] as number | null,
      });
      if (c !== null) addTo(rollup, c.hour, c.model, c.c, 1);
    }
    if (sessionId !== null) {
      let s = sessions.get(sessionId);
      if (s === undefined) {
        s = {
          firstTs: ts,
          lastTs: ts,
          count: 0,
          status: null,
          statusTs: null,
          tokensIn: 0,
          tokensOut: 0,
          facets: new Set(),
        };
        sessions.set(sessionId, s);
      }
      s.count += 1;
      if (ts < s.firstTs) s.firstTs = ts;
      if (ts > s.lastTs) s.lastTs = ts;
      if (kind === 'session' && status !== null && (s.statusTs === null || ts >= s.statusTs)) {
        s.status = status;
        s.statusTs = ts;
      }
      s.tokensIn += tokensIn ?? 0;
      s.tokensOut += tokensOut ?? 0;
      if (model !== null) s.facets.add(`model\u0000${model}`);
      s.facets.add(`adapter\u0000${v[o + F.adapter] as string}`);
    }
  }

  private flushTasks(tasks: Map<string, TouchedTask>, rollup: Map<string, RollupCounters>): void {
    if (tasks.size === 0) return;
    const index = this.syncTasks();
    index.reserve(tasks.size);
    let nextRowid = Number(this.s.getMeta.get('next_task_rowid') ?? '1');
    const fresh: unknown[] = [];
    let freshRows = 0;
    for (const [taskId, t] of tasks) {
      const keyHash = hash53(taskId);
      const rowid = index.find(keyHash, (r) => this.s.taskIdByRowid.get(r) === taskId);
      const row =
        rowid === null ? undefined : (this.s.taskByRowid.get(rowid) as TaskRow | undefined);
      const before = row ? taskFromRow(row) : null;
      const after = before ? mergeTasks(before, t.partial) : t.partial;
      if (before) {
        const old = taskContribution(before);
        addTo(rollup, old.hour, old.model, old.c, -1);
      }
      const now = taskContribution(after);
      addTo(rollup, now.hour, now.model, now.c, 1);
      const a = after;
      const values = [
        taskId,
        keyHash,
        a.model,
        a.sessionId,
        a.startedTs,
        a.endedTs,
        a.status,
        a.attempts,
        a.durationMs,
        a.tokensIn,
        a.tokensOut,
        a.tokensCacheRead,
        a.tokensCacheWrite,
        a.costUsd,
        a.firstTs,
        a.eventCount,
        taskBucketTs(a),
        a.spanFirstTs,
        a.spanLastTs,
        rowid ?? nextRowid,
      ];
      if (rowid === null) {
        for (const x of values) fresh.push(x);
        freshRows += 1;
        if (freshRows === ROWS_PER_INSERT) {
          this.s.insertTasks.run(fresh);
          fresh.length = 0;
          freshRows = 0;
        }
        index.insert(keyHash, nextRowid);
        this.tasksRowid = nextRowid;
        nextRowid += 1;
      } else {
        this.s.updateTask.run(values);
      }
    }
    const width = fresh.length / Math.max(freshRows, 1);
    for (let r = 0; r < freshRows; r++)
      this.s.insertTask.run(fresh.slice(r * width, (r + 1) * width));
    this.s.setMeta.run('next_task_rowid', String(nextRowid));
  }

  private flushRollup(rollup: Map<string, RollupCounters>): void {
    for (const [key, c] of rollup) {
      if (ROLLUP_FIELDS.every((f) => c[f] === 0)) continue;
      const sep = key.indexOf('\u0000');
      this.s.upsertRollup.run(
        Number(key.slice(0, sep)),
        key.slice(sep + 1),
        ...ROLLUP_FIELDS.map((f) => c[f]),
      );
    }
  }

  private flushSessions(sessions: Map<string, SessionDelta>): void {
    for (const [id, s] of sessions) {
      this.s.upsertSession.run(
        id,
        s.firstTs,
        s.lastTs,
        s.count,
        s.status,
        s.statusTs,
        s.tokensIn,
        s.tokensOut,
      );
      for (const f of s.facets) {
        const sep = f.indexOf('\u0000');
        this.s.insertFacet.run(id, f.slice(0, sep), f.slice(sep + 1));
      }
    }
  }
}

function addTo(
  rollup: Map<string, RollupCounters>,
  hour: number,
  model: string,
  c: RollupCounters,
  sign: number,
): void {
  const key = `${hour}\u0000${model}`;
  let acc = rollup.get(key);
  if (acc === undefined) {
    acc = zeroCounters();
    rollup.set(key, acc);
  }
  addCounters(acc, c, sign);
}
