import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

import {
  bodyHashOf,
  decodeEvent,
  encodedBodyHash,
  encodeEvents,
  F,
  STRIDE,
  type EncodedEvents,
} from '../../core/encoded.js';
import type { VigilEvent } from '../../core/event.js';
import {
  createBatchFold,
  foldEncodedEvent,
  type BatchFold,
  type SessionDelta,
} from '../../core/batch-fold.js';
import { hash53 } from '../../core/hash.js';
import {
  addCounters,
  addTaskContribution,
  ROLLUP_FIELDS,
  taskHour,
  zeroCounters,
  type RollupCounters,
} from '../../core/rollup.js';
import { mergeTasks, taskBucketTs, type TaskState } from '../../core/tasks.js';
import type { IngestBatch, IngestBatchResult } from '../types.js';
import { IdIndex, loadIndexSnapshot, snapshotIndex } from './id-index.js';
import { eventFromRow, taskFromRow, type EventRow, type TaskRow } from './rows.js';
import type { SqliteDb } from './sqlite-database.js';
import {
  NCOL,
  prepareWriterStatements,
  ROWS_PER_INSERT,
  type WriterStatements,
} from './writer-statements.js';

/** Most events a writer reserves index room for ahead of time (IngestBatch.expectedEvents). */
const MAX_RESERVE = 1 << 22;
/** Attribute JSON longer than this (UTF-16 units) is always stored inline. */
const ATTRS_MAX_LENGTH = 1024;
/** Interned attribute JSON a writer keeps in memory (bytes, approximately). */
const ATTRS_CACHE_BYTES = 4 << 20;
/** Once-seen attribute JSON a writer remembers before it starts over. */
const ATTRS_SEEN_LIMIT = 2048;

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
  /** Interned attribute sets: JSON → attrs_id, valid while meta.attrs_epoch is unchanged. */
  private attrsIds = new Map<string, number>();
  private attrsBytes = 0;
  /** Attribute JSON seen once (stored inline): a second sight interns it. */
  private attrsSeen = new Set<string>();
  private attrsEpoch: unknown = undefined;
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
  private probeTaskId = '';
  private readonly confirmTaskId = (rowid: number): boolean =>
    this.s.taskIdByRowid.get(rowid) === this.probeTaskId;
  private readonly s: WriterStatements;

  private idsDirty = false;
  private tasksDirty = false;
  private readonly eventHashAt = (seq: number) =>
    this.s.eventHashBySeq.get(seq) as number | undefined;
  private readonly taskHashAt = (rowid: number) =>
    this.s.taskHashByRowid.get(rowid) as number | undefined;

  /**
   * @param snapshotPath where index snapshots are kept (`<path>-ids.idx`, `<path>-tasks.idx`),
   *   or null to always rebuild the indexes from the tables.
   */
  constructor(
    private readonly db: SqliteDb,
    private readonly snapshotPath: string | null = null,
  ) {
    this.s = prepareWriterStatements(db);
  }

  /**
   * Loads an index snapshot if it belongs to this store and covers no row the store lacks;
   * otherwise null (the caller rebuilds from the table).
   */
  private loadSnapshot(
    kind: 'ids' | 'tasks',
    maxRow: number,
    hashAt: (row: number) => number | undefined,
  ): { index: IdIndex; lastRow: number } | null {
    if (this.snapshotPath === null) return null;
    let buf: Buffer;
    try {
      buf = readFileSync(`${this.snapshotPath}-${kind}.idx`);
    } catch {
      return null;
    }
    const loaded = loadIndexSnapshot(buf);
    const tag = Number(this.s.getMeta.get('store_tag') ?? NaN);
    if (loaded === null || loaded.header.storeTag !== tag || loaded.header.lastRow > maxRow)
      return null;
    // The row it ends at must still be the one it saw (not pruned, not a restored backup).
    if (loaded.header.lastRow > 0 && hashAt(loaded.header.lastRow) !== loaded.header.lastHash)
      return null;
    return { index: loaded.index, lastRow: loaded.header.lastRow };
  }

  /**
   * Writes the in-memory indexes beside the database (atomically), so the next process loads
   * them instead of rescanning every row. Only committed rows are ever in them.
   */
  saveSnapshots(): void {
    if (this.snapshotPath === null) return;
    const tag = Number(this.s.getMeta.get('store_tag') ?? NaN);
    if (!Number.isSafeInteger(tag)) return;
    const save = (
      kind: string,
      index: IdIndex | null,
      lastRow: number,
      dirty: boolean,
      hashAt: (row: number) => number | undefined,
    ) => {
      if (index === null || !dirty) return;
      const path = `${this.snapshotPath}-${kind}.idx`;
      try {
        const lastHash = lastRow > 0 ? hashAt(lastRow) : 0;
        if (lastHash === undefined) return;
        writeFileSync(`${path}.tmp`, snapshotIndex(index, { storeTag: tag, lastRow, lastHash }));
        renameSync(`${path}.tmp`, path);
      } catch {
        // A snapshot is only a cache: without it the next run rebuilds the index.
        rmSync(`${path}.tmp`, { force: true });
      }
    };
    save('ids', this.ids, this.idsSeq, this.idsDirty, this.eventHashAt);
    save('tasks', this.tasks, this.tasksRowid, this.tasksDirty, this.taskHashAt);
    this.idsDirty = false;
    this.tasksDirty = false;
  }

  /** Forgets the in-memory indexes (after a failed transaction or a prune); rebuilt on use. */
  resetIndexes(): void {
    this.sources = null;
    this.forgetAttrs();
    this.ids = null;
    this.idsSeq = 0;
    this.tasks = null;
    this.tasksRowid = 0;
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
      const maxSeq = Number(this.s.getMeta.get('next_seq') ?? '1') - 1;
      const snap = this.loadSnapshot('ids', maxSeq, this.eventHashAt);
      if (snap !== null) {
        this.ids = snap.index;
        this.idsSeq = snap.lastRow;
      }
    }
    if (this.ids === null) {
      this.ids = new IdIndex(Math.max((this.s.eventCount.get() as number) * 2, 1 << 16));
      this.idsSeq = 0;
    }
    for (const row of this.s.eventsAfter.iterate(this.idsSeq) as Iterable<[number, number]>) {
      this.idsDirty = true;
      this.ids.insert(row[1], row[0]);
      this.idsSeq = row[0];
    }
    return this.ids;
  }

  private syncTasks(): IdIndex {
    if (this.tasks === null) {
      const maxRow = Number(this.s.getMeta.get('next_task_rowid') ?? '1') - 1;
      const snap = this.loadSnapshot('tasks', maxRow, this.taskHashAt);
      if (snap !== null) {
        this.tasks = snap.index;
        this.tasksRowid = snap.lastRow;
      }
    }
    if (this.tasks === null) {
      this.tasks = new IdIndex(Math.max((this.s.taskCount.get() as number) * 2, 1 << 14));
      this.tasksRowid = 0;
    }
    for (const row of this.s.tasksAfter.iterate(this.tasksRowid) as Iterable<[number, number]>) {
      this.tasksDirty = true;
      this.tasks.insert(row[1], row[0]);
      this.tasksRowid = row[0];
    }
    return this.tasks;
  }

  private forgetAttrs(): void {
    this.attrsIds.clear();
    this.attrsSeen.clear();
    this.attrsBytes = 0;
    this.attrsEpoch = undefined;
  }

  /**
   * The attrs_id of an attribute set worth sharing (seen before, and not too long), interning
   * it if needed; null to store it inline. Memory stays bounded: at most ATTRS_CACHE_BYTES of
   * interned JSON and ATTRS_SEEN_LIMIT of once-seen JSON are held.
   */
  private attrsIdOf(json: string): number | null {
    const known = this.attrsIds.get(json);
    if (known !== undefined) return known;
    if (json.length > ATTRS_MAX_LENGTH || this.attrsBytes >= ATTRS_CACHE_BYTES) return null;
    if (!this.attrsSeen.has(json)) {
      if (this.attrsSeen.size >= ATTRS_SEEN_LIMIT) this.attrsSeen.clear();
      this.attrsSeen.add(json);
      return null;
    }
    this.attrsSeen.delete(json);
    this.s.insertAttrs.run(json);
    const id = this.s.attrsIdOf.get(json) as number;
    this.attrsIds.set(json, id);
    this.attrsBytes += json.length * 2;
    return id;
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
    let firstSeq: number | null = null;
    if (enc.count > 0) {
      const epoch = this.s.getMeta.get('attrs_epoch');
      if (epoch !== this.attrsEpoch) {
        this.forgetAttrs();
        this.attrsEpoch = epoch;
      }
      const ids = this.syncIds();
      // A hint far beyond this batch is honoured only up to a bound (it is an estimate).
      ids.reserve(Math.max(enc.count, Math.min(batch.expectedEvents ?? 0, MAX_RESERVE)));
      const v = enc.values;
      let nextSeq = Number(this.s.getMeta.get('next_seq') ?? '1');
      const startSeq = nextSeq;
      this.probeValues = v;
      // Indexes (into the batch) of the events stored so far, in seq order.
      this.probePending = committed;
      this.probeFirstSeq = nextSeq;
      const params: unknown[] = new Array(ROWS_PER_INSERT * NCOL);
      let filled = 0;
      let lastAdapter: string | null = null;
      let lastFile: string | null = null;
      let lastSourceId = 0;
      // The producer's fold of the whole batch holds only if every event is stored; without
      // one, or with duplicates, the stored events are folded here.
      const given = enc.fold;
      let fold = given ?? createBatchFold();
      for (let i = 0; i < enc.count; i++) {
        const o = i * STRIDE;
        this.probeId = v[o] as string;
        const hash = v[o + F.idHash] as number;
        const seq = ids.findOrInsert(hash, nextSeq, this.confirmId);
        if (seq !== null) {
          duplicates += 1;
          if (this.storedBodyHash(seq, enc) !== encodedBodyHash(enc, i)) conflicts += 1;
          continue;
        }
        const newSeq = nextSeq++;
        const adapter = v[o + F.adapter] as string;
        const file = v[o + F.file] as string | null;
        if (adapter !== lastAdapter || file !== lastFile) {
          lastAdapter = adapter;
          lastFile = file;
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
        const attrs = v[o + F.attrs] as string | null;
        const attrsId = attrs === null ? null : this.attrsIdOf(attrs);
        params[p + 22] = attrsId === null ? attrs : null;
        params[p + 23] = attrsId;
        filled += 1;
        if (filled === ROWS_PER_INSERT) {
          // Spread, not an array: better-sqlite3 binds arguments about twice as fast as the
          // elements of one array argument (measured: 23M values, 0.34 s against 0.74 s).
          this.s.insertMany.run(...params);
          filled = 0;
        }
        inserted += 1;
        committed.push(i);
        if (given === undefined) foldEncodedEvent(fold, v, o);
      }
      if (given !== undefined && inserted !== enc.count) {
        fold = createBatchFold();
        for (const i of committed) foldEncodedEvent(fold, v, i * STRIDE);
      }
      for (let r = 0; r < filled; r++)
        this.s.insertOne.run(...params.slice(r * NCOL, (r + 1) * NCOL));
      this.probeValues = [];
      this.probePending = [];
      this.idsSeq = nextSeq - 1;
      if (inserted > 0) {
        this.idsDirty = true;
        firstSeq = startSeq;
      }
      this.s.setMeta.run('next_seq', String(nextSeq));
      const rollup = copyRollup(fold.rollup);
      this.flushTasks(fold.tasks, rollup);
      this.flushRollup(rollup);
      this.flushSessions(fold.sessions);
    }
    for (const cp of batch.checkpoints) this.s.upsertCheckpoint.run(cp);
    const events = batch.events;
    let decoded: VigilEvent[] | null = null;
    return {
      inserted,
      duplicates,
      conflicts,
      firstSeq,
      // Decoded on demand: the CLI never reads them, the live bus does.
      get committed() {
        decoded ??= events
          ? committed.map((i) => events[i] as VigilEvent)
          : committed.map((i) => decodeEvent(enc, i));
        return decoded;
      },
    };
  }

  private flushTasks(tasks: Map<string, TaskState>, rollup: Map<string, RollupCounters>): void {
    if (tasks.size === 0) return;
    const index = this.syncTasks();
    index.reserve(tasks.size);
    let nextRowid = Number(this.s.getMeta.get('next_task_rowid') ?? '1');
    const fresh: unknown[] = [];
    let freshRows = 0;
    const row: unknown[] = new Array(TASK_ROW_WIDTH);
    // Tasks of a batch mostly share an hour: their rollup rows are looked up by model within
    // the current hour, without building a key per task.
    let hour = Number.NaN;
    const ofHour = new Map<string, RollupCounters>();
    const counters = (h: number, model: string): RollupCounters => {
      if (h !== hour) {
        hour = h;
        ofHour.clear();
      }
      let c = ofHour.get(model);
      if (c === undefined) {
        const key = `${h}\u0000${model}`;
        c = rollup.get(key);
        if (c === undefined) {
          c = zeroCounters();
          rollup.set(key, c);
        }
        ofHour.set(model, c);
      }
      return c;
    };
    for (const [taskId, t] of tasks) {
      const keyHash = hash53(taskId);
      this.probeTaskId = taskId;
      // A new task is placed in the index under nextRowid by the same probe.
      const rowid = index.findOrInsert(keyHash, nextRowid, this.confirmTaskId);
      const stored =
        rowid === null ? undefined : (this.s.taskByRowid.get(rowid) as TaskRow | undefined);
      let a = t;
      if (stored !== undefined) {
        const before = taskFromRow(stored);
        addTaskContribution(counters(taskHour(before), before.model ?? ''), before, -1);
        a = mergeTasks(before, t);
      }
      addTaskContribution(counters(taskHour(a), a.model ?? ''), a, 1);
      fillTaskRow(row, taskId, keyHash, a, rowid ?? nextRowid);
      if (rowid === null) {
        fresh.push(...row);
        freshRows += 1;
        if (freshRows === ROWS_PER_INSERT) {
          this.s.insertTasks.run(...fresh);
          fresh.length = 0;
          freshRows = 0;
        }
        this.tasksDirty = true;
        this.tasksRowid = nextRowid;
        nextRowid += 1;
      } else {
        this.s.updateTask.run(...row);
      }
    }
    const width = fresh.length / Math.max(freshRows, 1);
    for (let r = 0; r < freshRows; r++)
      this.s.insertTask.run(...fresh.slice(r * width, (r + 1) * width));
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
      for (const model of s.models) this.s.insertFacet.run(id, 'model', model);
      for (const adapter of s.adapters) this.s.insertFacet.run(id, 'adapter', adapter);
    }
  }
}

/** Values bound per task row: the columns of `insertTask`, then the rowid. */
const TASK_ROW_WIDTH = 20;

/** Fills `out` with the values of a task row, in `insertTask`/`updateTask` order. */
function fillTaskRow(
  out: unknown[],
  taskId: string,
  keyHash: number,
  a: TaskState,
  rowid: number,
): void {
  out[0] = taskId;
  out[1] = keyHash;
  out[2] = a.model;
  out[3] = a.sessionId;
  out[4] = a.startedTs;
  out[5] = a.endedTs;
  out[6] = a.status;
  out[7] = a.attempts;
  out[8] = a.durationMs;
  out[9] = a.tokensIn;
  out[10] = a.tokensOut;
  out[11] = a.tokensCacheRead;
  out[12] = a.tokensCacheWrite;
  out[13] = a.costUsd;
  out[14] = a.firstTs;
  out[15] = a.eventCount;
  out[16] = taskBucketTs(a);
  out[17] = a.spanFirstTs;
  out[18] = a.spanLastTs;
  out[19] = rowid;
}

/** A copy of a fold's rollup deltas: the fold itself is left as the batch gave it. */
function copyRollup(from: BatchFold['rollup']): Map<string, RollupCounters> {
  const out = new Map<string, RollupCounters>();
  for (const [key, c] of from) out.set(key, addCounters(zeroCounters(), c));
  return out;
}
