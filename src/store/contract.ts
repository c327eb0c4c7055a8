/**
 * The store contract: one Vitest suite every backend must pass (Hono's `common.case.test.ts`,
 * Kysely's suite looped over every dialect). It uses only the `Store` interface and the pure
 * semantics in src/core, so SQLite and PostgreSQL are held to the same numbers.
 *
 * @example
 * // src/store/sqlite/sqlite-store.test.ts
 * describeStoreContract('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'vigil-'));
 *   const store = createSqliteStore(join(dir, 'vigil.db'));
 *   return { store, reopen: async () => createSqliteStore(join(dir, 'vigil.db')), cleanup: ... };
 * });
 */
import { describe, expect, it } from 'vitest';

import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../core/event.js';
import {
  addCounters,
  eventContribution,
  ROLLUP_FIELDS,
  taskContribution,
  zeroCounters,
  type RollupCounters,
} from '../core/rollup.js';
import { applyTaskEvent, emptyTask, taskBucketTs, type TaskState } from '../core/tasks.js';
import type {
  AggregateQuery,
  Checkpoint,
  EventFilter,
  EventQuery,
  ModelAggregate,
  SessionInfo,
  Store,
} from './types.js';

/** What a backend's test file hands the contract: a fresh, empty store and a way to reopen it. */
export interface StoreHarness {
  store: Store;
  /** A new Store instance on the same data (the first may still be open). */
  reopen: () => Promise<Store>;
  /** Closes every store this harness opened and deletes the data. */
  cleanup: () => Promise<void>;
}

const MIN = 60_000;

/** Epoch ms of `HH:MM` or `HH:MM:SS` on 2026-02-16, UTC. */
export function at(hms: string): number {
  return Date.parse(`2026-02-16T${hms.length === 5 ? `${hms}:00` : hms}Z`);
}

let made = 0;

/**
 * A complete event with every field set (optional ones null), overridable field by field.
 *
 * @example
 * makeEvent({ id: 'e1', kind: 'task', type: 'task_end', taskId: 't1', status: 'success' })
 */
export function makeEvent(overrides: Partial<VigilEvent> = {}): VigilEvent {
  made += 1;
  return {
    id: `evt-${made}`,
    type: 'log_line',
    kind: 'log',
    ts: at('10:00'),
    ...EMPTY_EVENT_FIELDS,
    source: {
      adapter: 'test',
      file: '/work/logs/agent.jsonl',
      line: made,
      offset: (made - 1) * 120,
    },
    attrs: {},
    ...overrides,
  };
}

function taskStart(
  id: string,
  taskId: string,
  ts: number,
  o: Partial<VigilEvent> = {},
): VigilEvent {
  return makeEvent({ id, type: 'task_start', kind: 'task', taskId, ts, status: 'started', ...o });
}

function taskEnd(
  id: string,
  taskId: string,
  ts: number,
  status: EventStatus,
  o: Partial<VigilEvent> = {},
): VigilEvent {
  return makeEvent({ id, type: 'task_end', kind: 'task', taskId, ts, status, ...o });
}

function makeCheckpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    path: '/work/logs/agent.jsonl',
    adapter: 'agent-events',
    dev: 2049,
    ino: 1_234_567,
    offset: 4096,
    size: 8192,
    headDigest: 'sha256:6f1ed002ab5595859014ebf0951522d9',
    headLength: 1024,
    lines: 37,
    contentDigest: null,
    updatedAt: at('10:00'),
    ...overrides,
  };
}

/** An aggregate row: zero everywhere except `c`. */
function agg(model: string, c: Partial<RollupCounters> = {}): ModelAggregate {
  return { model, ...zeroCounters(), ...c };
}

function byModel(list: readonly ModelAggregate[]): ModelAggregate[] {
  return [...list].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** What aggregateByModel must return, from the core fold and contribution functions. */
function referenceAggregates(events: readonly VigilEvent[], q: AggregateQuery): ModelAggregate[] {
  const out = new Map<string, RollupCounters>();
  const add = (model: string, c: RollupCounters) => {
    if (q.model !== undefined && model !== q.model) return;
    out.set(model, addCounters(out.get(model) ?? zeroCounters(), c));
  };
  const tasks = new Map<string, TaskState>();
  for (const e of events) {
    if (e.kind === 'task' && e.taskId !== null) {
      const t = tasks.get(e.taskId) ?? emptyTask(e.taskId, e.ts);
      tasks.set(e.taskId, applyTaskEvent(t, e));
      continue;
    }
    const c = eventContribution(e);
    if (c !== null && e.ts >= q.since && e.ts < q.until) add(c.model, c.c);
  }
  for (const t of tasks.values()) {
    const bucket = taskBucketTs(t);
    if (bucket >= q.since && bucket < q.until) {
      const c = taskContribution(t);
      add(c.model, c.c);
    }
  }
  return byModel(
    [...out]
      .filter(([, c]) => ROLLUP_FIELDS.some((f) => c[f] !== 0))
      .map(([model, c]) => ({ model, ...c })),
  );
}

function normaliseSession<T extends SessionInfo>(s: T | null): T | null {
  return s === null
    ? null
    : { ...s, models: [...s.models].sort(), adapters: [...s.adapters].sort() };
}

/** A deterministic PRNG (mulberry32), so a failing case replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function chunks<T>(xs: readonly T[], rand: () => number, max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

/**
 * 40 tasks (complete, retried, incomplete, end-only) and 180 non-task events between 08:00 and
 * about 18:00, with distinct timestamps, one model per task (on its start event) and costs in
 * eighths of a dollar so that sums are exact in any order.
 */
function buildScenario(seed: number): VigilEvent[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const events: VigilEvent[] = [];
  let n = 0;
  const ts = (base: number) => base + (n += 1);
  const slot = (fromMin: number, spanMin: number) =>
    at('08:00') + (fromMin + Math.floor(rand() * spanMin)) * MIN;
  const models = ['m-a', 'm-b', 'm-c', null] as const;
  const taskIds: string[] = [];
  for (let t = 0; t < 40; t++) {
    const taskId = `sc-task-${seed}-${t}`;
    taskIds.push(taskId);
    const model = pick(models);
    const sessionId = pick(['sc-s1', 'sc-s2', null]);
    const start = slot(0, 420);
    const shape = rand();
    const endOnly = shape < 0.1;
    if (!endOnly)
      events.push(taskStart(`${taskId}-start`, taskId, ts(start), { model, sessionId }));
    if (shape >= 0.1 && shape < 0.25) continue; // incomplete
    const usage = () => ({
      tokensIn: 1 + Math.floor(rand() * 5000),
      tokensOut: 1 + Math.floor(rand() * 2000),
      tokensCacheRead: rand() < 0.5 ? null : Math.floor(rand() * 900),
      tokensCacheWrite: rand() < 0.7 ? null : Math.floor(rand() * 90),
      durationMs: rand() < 0.1 ? null : 1000 * (1 + Math.floor(rand() * 3600)),
      costUsd: rand() < 0.5 ? null : Math.floor(rand() * 40) / 8,
      sessionId,
    });
    const firstEnd = start + (1 + Math.floor(rand() * 90)) * MIN;
    if (shape >= 0.75) {
      events.push(
        makeEvent({
          id: `${taskId}-retrying`,
          type: 'task_retry',
          kind: 'task',
          taskId,
          status: 'retrying',
          ts: ts(firstEnd - MIN),
          tokensIn: 17,
        }),
      );
      events.push(taskEnd(`${taskId}-fail`, taskId, ts(firstEnd), 'failure', usage()));
      events.push(
        taskEnd(
          `${taskId}-end`,
          taskId,
          ts(firstEnd + (1 + Math.floor(rand() * 90)) * MIN),
          'success',
          usage(),
        ),
      );
    } else {
      events.push(
        taskEnd(
          `${taskId}-end`,
          taskId,
          ts(firstEnd),
          pick(['success', 'failure', 'timeout', 'cancelled'] as const),
          usage(),
        ),
      );
    }
  }
  for (let i = 0; i < 150; i++) {
    events.push(
      makeEvent({
        id: `sc-llm-${seed}-${i}`,
        type: 'llm_response',
        kind: 'llm_call',
        ts: ts(slot(0, 480)),
        model: pick(models),
        taskId: rand() < 0.4 ? pick(taskIds) : null,
        sessionId: pick(['sc-s1', 'sc-s2', null]),
        tokensIn: 1 + Math.floor(rand() * 3000),
        tokensOut: rand() < 0.2 ? null : 1 + Math.floor(rand() * 1000),
        tokensCacheRead: rand() < 0.5 ? null : Math.floor(rand() * 900),
        costUsd: rand() < 0.3 ? Math.floor(rand() * 16) / 8 : null,
      }),
    );
  }
  for (let i = 0; i < 30; i++) {
    events.push(
      makeEvent({ id: `sc-log-${seed}-${i}`, ts: ts(slot(0, 480)), model: pick(models) }),
    );
  }
  return events;
}

const HEALTHY = { ok: true, problems: [] };

/**
 * Declares the full contract suite for one backend. `open` must return a fresh, empty store
 * each time; `cleanup` is awaited after every test.
 */
export function describeStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  /** One test on a fresh store, cleaned up whatever happens. */
  const storeIt = (title: string, fn: (h: StoreHarness) => Promise<void>, timeoutMs?: number) =>
    it(
      title,
      async () => {
        const h = await open();
        try {
          await fn(h);
        } finally {
          await h.cleanup();
        }
      },
      timeoutMs,
    );

  const idsOf = async (store: Store, q: EventQuery = {}) =>
    (await store.queryEvents({ limit: 10_000, ...q })).events.map((e) => e.id);

  const collect = async (source: AsyncIterable<VigilEvent>) => {
    const out: VigilEvent[] = [];
    for await (const e of source) out.push(e);
    return out;
  };

  describe(`Store contract: ${name}`, () => {
    describe('ingest', () => {
      storeIt('stores a new batch and reports it', async ({ store }) => {
        const a = makeEvent({ id: 'a', ts: at('10:00') });
        const b = makeEvent({ id: 'b', ts: at('10:01') });
        const c = makeEvent({ id: 'c', ts: at('10:02') });
        expect(await store.ingest({ events: [a, b, c], checkpoints: [] })).toEqual({
          inserted: 3,
          duplicates: 0,
          conflicts: 0,
          committed: [a, b, c],
        });
        expect(await store.countEvents({})).toBe(3);
        expect((await store.queryEvents({})).events).toEqual([a, b, c]);
      });

      storeIt('round-trips every field of an event', async ({ store }) => {
        const full = makeEvent({
          id: '550e8400-e29b-41d4-a716-446655440002',
          type: 'task_end',
          kind: 'task',
          ts: at('14:32:30'),
          sessionId: 'sess_xyz',
          taskId: 'task_abc123',
          phase: 'implement',
          agentRole: 'coder',
          model: 'gpt-5.3-codex',
          status: 'success',
          durationMs: 150_000.5,
          tokensIn: 1500,
          tokensOut: 800,
          tokensCacheRead: 300,
          tokensCacheWrite: 40,
          costUsd: 0.0125,
          message: 'done: "quoted" \\ back\nnew line, ünïcödé ✓',
          source: { adapter: 'kpi', file: '/repo/.droid/kpis.jsonl', line: 2, offset: 231 },
          attrs: { retry: 2, tags: ['a', 'b'], nested: { ok: true, none: null }, big: 2 ** 40 },
        });
        const bare = makeEvent({
          id: 'bare',
          ts: at('14:33'),
          source: { adapter: 'http', file: null, line: null, offset: null },
          message: '',
        });
        await store.ingest({ events: [full, bare], checkpoints: [] });
        expect((await store.queryEvents({})).events).toEqual([full, bare]);
      });

      storeIt('lists exactly the new events in commit order', async ({ store }) => {
        const old = makeEvent({ id: 'old' });
        await store.ingest({ events: [old], checkpoints: [] });
        const a = makeEvent({ id: 'a', ts: at('12:00') });
        const b = makeEvent({ id: 'b', ts: at('09:00') });
        const c = makeEvent({ id: 'c', ts: at('11:00') });
        const result = await store.ingest({ events: [a, old, b, a, c, old], checkpoints: [] });
        expect(result).toEqual({ inserted: 3, duplicates: 3, conflicts: 0, committed: [a, b, c] });
      });

      storeIt('stores an id once within a batch and across batches', async ({ store }) => {
        const [a, b, c] = ['a', 'b', 'c'].map((id) => makeEvent({ id })) as [
          VigilEvent,
          VigilEvent,
          VigilEvent,
        ];
        expect(await store.ingest({ events: [a, b, a], checkpoints: [] })).toEqual({
          inserted: 2,
          duplicates: 1,
          conflicts: 0,
          committed: [a, b],
        });
        expect(await store.ingest({ events: [b, c, a], checkpoints: [] })).toEqual({
          inserted: 1,
          duplicates: 2,
          conflicts: 0,
          committed: [c],
        });
        for (let retry = 0; retry < 5; retry++) {
          expect(await store.ingest({ events: [a, b, c], checkpoints: [] })).toEqual({
            inserted: 0,
            duplicates: 3,
            conflicts: 0,
            committed: [],
          });
        }
        expect(await store.countEvents({})).toBe(3);
        expect(await store.checkIntegrity()).toEqual(HEALTHY);
      });

      storeIt('dedupes a large batch full of repeats', async ({ store }) => {
        // Every third event repeats an earlier one of the same batch: 1000 events, 667 new.
        const events: VigilEvent[] = [];
        for (let i = 0; i < 1000; i++) {
          events.push(
            i % 3 === 2
              ? (events[i - 1] as VigilEvent)
              : makeEvent({ id: `big-${i}`, ts: at('10:00') + i }),
          );
        }
        const first = await store.ingest({ events, checkpoints: [] });
        expect([first.inserted, first.duplicates, first.conflicts, first.committed.length]).toEqual(
          [667, 333, 0, 667],
        );
        const again = await store.ingest({ events, checkpoints: [] });
        expect([again.inserted, again.duplicates, again.conflicts]).toEqual([0, 1000, 0]);
        expect(await store.countEvents({})).toBe(667);
      });

      storeIt(
        'counts a same id with a different body as a conflict and keeps the first body',
        async ({ store }) => {
          const a = makeEvent({ id: 'a', message: 'first', tokensIn: 10 });
          const changedMessage = { ...a, message: 'second' };
          const changedTokens = { ...a, tokensIn: 11 };
          expect(await store.ingest({ events: [a, changedMessage], checkpoints: [] })).toEqual({
            inserted: 1,
            duplicates: 1,
            conflicts: 1,
            committed: [a],
          });
          expect(await store.ingest({ events: [changedTokens, a], checkpoints: [] })).toEqual({
            inserted: 0,
            duplicates: 2,
            conflicts: 1,
            committed: [],
          });
          expect((await store.queryEvents({})).events).toEqual([a]);
        },
      );

      const bodyChanges: [string, (e: VigilEvent) => VigilEvent][] = [
        ['type', (e) => ({ ...e, type: 'other_type' })],
        ['ts', (e) => ({ ...e, ts: e.ts + 1 })],
        ['status', (e) => ({ ...e, status: 'failure' })],
        ['model', (e) => ({ ...e, model: 'other-model' })],
        ['sessionId', (e) => ({ ...e, sessionId: 'other-session' })],
        ['taskId', (e) => ({ ...e, taskId: 'other-task' })],
        ['tokensOut', (e) => ({ ...e, tokensOut: 999 })],
        ['durationMs', (e) => ({ ...e, durationMs: 1 })],
        ['kind', (e) => ({ ...e, kind: 'log' })],
        ['phase', (e) => ({ ...e, phase: 'other-phase' })],
        ['agentRole', (e) => ({ ...e, agentRole: 'other-role' })],
        ['tokensCacheRead', (e) => ({ ...e, tokensCacheRead: 999 })],
        ['tokensCacheWrite', (e) => ({ ...e, tokensCacheWrite: 999 })],
        ['costUsd', (e) => ({ ...e, costUsd: 9.5 })],
        ['attrs', (e) => ({ ...e, attrs: { retry: 3 } })],
      ];
      storeIt('counts a conflict whichever field of the body differs', async ({ store }) => {
        const missed: string[] = [];
        for (const [field, change] of bodyChanges) {
          const a = makeEvent({
            id: `conflict-${field}`,
            type: 'llm_response',
            kind: 'llm_call',
            sessionId: 's1',
            taskId: 't1',
            phase: 'plan',
            agentRole: 'planner',
            model: 'm-a',
            status: 'success',
            durationMs: 1200,
            tokensIn: 10,
            tokensOut: 20,
            tokensCacheRead: 30,
            tokensCacheWrite: 40,
            costUsd: 0.5,
            message: 'hello',
            attrs: { retry: 2 },
          });
          await store.ingest({ events: [a], checkpoints: [] });
          const result = await store.ingest({ events: [change(a)], checkpoints: [] });
          expect([result.inserted, result.duplicates], field).toEqual([0, 1]);
          if (result.conflicts !== 1) missed.push(field);
          expect(
            (await store.queryEvents({ types: ['llm_response'], descending: true, limit: 1 }))
              .events,
            field,
          ).toEqual([a]);
        }
        // The fields whose change went uncounted.
        expect(missed).toEqual([]);
      });

      storeIt(
        'treats the same event read from another file as a duplicate, not a conflict',
        async ({ store }) => {
          const a = makeEvent({
            id: 'rotated',
            source: { adapter: 'kpi', file: '/logs/kpis.jsonl', line: 7, offset: 700 },
          });
          await store.ingest({ events: [a], checkpoints: [] });
          const copy = {
            ...a,
            source: { adapter: 'kpi', file: '/logs/kpis.jsonl.1', line: 3, offset: 300 },
          };
          expect(await store.ingest({ events: [copy], checkpoints: [] })).toEqual({
            inserted: 0,
            duplicates: 1,
            conflicts: 0,
            committed: [],
          });
        },
      );

      storeIt('stores the checkpoints of a batch without events', async ({ store }) => {
        const cp = makeCheckpoint();
        expect(await store.ingest({ events: [], checkpoints: [cp] })).toEqual({
          inserted: 0,
          duplicates: 0,
          conflicts: 0,
          committed: [],
        });
        expect(await store.getCheckpoint(cp.path)).toEqual(cp);
        expect(await store.countEvents({})).toBe(0);
        expect(await store.ingest({ events: [], checkpoints: [] })).toEqual({
          inserted: 0,
          duplicates: 0,
          conflicts: 0,
          committed: [],
        });
      });

      storeIt('still detects duplicates and conflicts after reopen', async ({ store, reopen }) => {
        const a = makeEvent({ id: 'a', message: 'x' });
        const b = makeEvent({ id: 'b' });
        await store.ingest({ events: [a, b], checkpoints: [] });
        await store.close();
        const again = await reopen();
        const c = makeEvent({ id: 'c' });
        expect(
          await again.ingest({ events: [a, { ...b }, c, { ...a, message: 'y' }], checkpoints: [] }),
        ).toEqual({
          inserted: 1,
          duplicates: 3,
          conflicts: 1,
          committed: [c],
        });
        expect(await again.countEvents({})).toBe(3);
        expect(await again.checkIntegrity()).toEqual(HEALTHY);
      });

      storeIt(
        'dedupes across two stores open on the same data at once',
        async ({ store: a, reopen }) => {
          const batch = (prefix: string, from: number, n: number) =>
            Array.from({ length: n }, (_, i) =>
              makeEvent({ id: `${prefix}-${from + i}`, ts: at('10:00') + from + i }),
            );
          const x = batch('x', 0, 50);
          const y = batch('y', 0, 50);
          expect((await a.ingest({ events: x, checkpoints: [] })).inserted).toBe(50);
          const b = await reopen();
          const viaB = await b.ingest({ events: x, checkpoints: [] });
          expect([viaB.inserted, viaB.duplicates, viaB.conflicts]).toEqual([0, 50, 0]);
          expect((await b.ingest({ events: y, checkpoints: [] })).inserted).toBe(50);
          const viaA = await a.ingest({ events: y, checkpoints: [] });
          expect([viaA.inserted, viaA.duplicates]).toEqual([0, 50]);
          const conflict = await b.ingest({
            events: [{ ...(x[0] as VigilEvent), message: 'changed' }],
            checkpoints: [],
          });
          expect([conflict.inserted, conflict.duplicates, conflict.conflicts]).toEqual([0, 1, 1]);

          // Interleave the two writers; each batch is half old ids, half new ones.
          const rand = prng(7);
          const stored: VigilEvent[] = [...x, ...y];
          for (let round = 0; round < 40; round++) {
            const writer = round % 2 === 0 ? a : b;
            const old = Array.from(
              { length: 10 },
              () => stored[Math.floor(rand() * stored.length)] as VigilEvent,
            );
            const fresh = batch(`r${round}`, 0, 10);
            const r = await writer.ingest({
              events: shuffle([...old, ...fresh], rand),
              checkpoints: [],
            });
            expect([r.inserted, r.duplicates, r.conflicts], `round ${round}`).toEqual([10, 10, 0]);
            stored.push(...fresh);
          }
          expect(await a.countEvents({})).toBe(stored.length);
          expect(await b.countEvents({})).toBe(stored.length);
          expect(new Set(await idsOf(b)).size).toBe(stored.length);
          expect(await a.checkIntegrity()).toEqual(HEALTHY);
        },
      );
    });

    describe('checkpoints', () => {
      storeIt('knows which files events were read from, checkpoint or not', async ({ store }) => {
        const from = (file: string | null, id: string) =>
          makeEvent({ id, source: { adapter: 'kpi', file, line: 1, offset: 0 } });
        await store.ingest({
          events: [from('/logs/read.jsonl', 'hf-1'), from(null, 'hf-2')],
          checkpoints: [],
        });
        expect(await store.hasEventsFrom('/logs/read.jsonl')).toBe(true);
        expect(await store.hasEventsFrom('/logs/never.jsonl')).toBe(false);
      });

      storeIt('gets by path, finds by (dev, ino) and lists', async ({ store }) => {
        const one = makeCheckpoint({
          path: '/logs/b.jsonl',
          dev: 2049,
          ino: 2 ** 40 + 7,
          contentDigest: 'sha256:abc',
        });
        const two = makeCheckpoint({
          path: '/logs/a.jsonl',
          dev: 2050,
          ino: 2 ** 40 + 7,
          offset: 0,
          lines: 0,
        });
        await store.ingest({ events: [], checkpoints: [one, two] });
        expect(await store.getCheckpoint('/logs/b.jsonl')).toEqual(one);
        expect(await store.getCheckpoint('/logs/missing.jsonl')).toBeNull();
        expect(await store.findCheckpointByInode(2049, 2 ** 40 + 7)).toEqual(one);
        expect(await store.findCheckpointByInode(2050, 2 ** 40 + 7)).toEqual(two);
        expect(await store.findCheckpointByInode(2049, 1)).toBeNull();
        const list = await store.listCheckpoints();
        expect([...list].sort((p, q) => p.path.localeCompare(q.path))).toEqual([two, one]);
      });

      storeIt('replaces a checkpoint on upsert', async ({ store }) => {
        const cp = makeCheckpoint();
        await store.ingest({ events: [], checkpoints: [cp] });
        const moved = {
          ...cp,
          offset: 9000,
          size: 9000,
          lines: 80,
          updatedAt: cp.updatedAt + 5000,
        };
        await store.ingest({ events: [makeEvent()], checkpoints: [moved] });
        expect(await store.getCheckpoint(cp.path)).toEqual(moved);
        expect(await store.listCheckpoints()).toEqual([moved]);
      });

      storeIt('finds a renamed file by inode under its newest path', async ({ store }) => {
        const before = makeCheckpoint({ path: '/logs/app.jsonl', updatedAt: at('10:00') });
        const after = makeCheckpoint({ path: '/logs/app.jsonl.1', updatedAt: at('10:05') });
        await store.ingest({ events: [], checkpoints: [before] });
        await store.ingest({ events: [], checkpoints: [after] });
        expect(await store.findCheckpointByInode(before.dev, before.ino)).toEqual(after);
      });

      // A NaN timestamp passes TypeScript but no backend can store it (NOT NULL / bigint), so
      // the failure happens inside the store's transaction, after the good event was written.
      storeIt('stores a checkpoint only together with its events', async ({ store }) => {
        const cp = makeCheckpoint({ offset: 100 });
        await store.ingest({ events: [makeEvent({ id: 'before' })], checkpoints: [cp] });
        const good = makeEvent({ id: 'good', ts: at('11:00') });
        const bad = makeEvent({ id: 'bad', ts: Number.NaN });
        const failing = { ...cp, offset: 200 };
        await expect(
          store.ingest({ events: [good, bad], checkpoints: [failing] }),
        ).rejects.toThrow();
        expect(await store.getCheckpoint(cp.path)).toEqual(cp);
        expect(await idsOf(store)).toEqual(['before']);
        // Nothing of the failed batch is remembered as stored.
        expect(await store.ingest({ events: [good], checkpoints: [failing] })).toEqual({
          inserted: 1,
          duplicates: 0,
          conflicts: 0,
          committed: [good],
        });
        expect(await store.getCheckpoint(cp.path)).toEqual(failing);
        expect(await store.checkIntegrity()).toEqual(HEALTHY);
      });
    });

    describe('queries', () => {
      // q1..q12 in time order; q10 and q11 share a timestamp and q11 is stored first.
      const q = {
        q1: makeEvent({
          id: 'q1',
          type: 'task_start',
          kind: 'task',
          ts: at('10:00'),
          sessionId: 's1',
          taskId: 't1',
          phase: 'plan',
          agentRole: 'planner',
          model: 'm-a',
          status: 'started',
          source: { adapter: 'kpi', file: '/k', line: 1, offset: 0 },
        }),
        q2: makeEvent({
          id: 'q2',
          type: 'llm_response',
          kind: 'llm_call',
          ts: at('10:05'),
          sessionId: 's1',
          taskId: 't1',
          phase: 'plan',
          agentRole: 'planner',
          model: 'm-a',
          status: 'success',
          tokensIn: 10,
          tokensOut: 5,
          source: { adapter: 'agent-events', file: '/a', line: 1, offset: 0 },
        }),
        q3: makeEvent({
          id: 'q3',
          type: 'review_done',
          kind: 'review',
          ts: at('10:10'),
          sessionId: 's1',
          phase: 'review',
          agentRole: 'reviewer',
          model: 'm-b',
          status: 'success',
          source: { adapter: 'wfc-review', file: '/r', line: null, offset: null },
        }),
        q4: makeEvent({
          id: 'q4',
          type: 'bypass',
          kind: 'bypass',
          ts: at('10:15'),
          sessionId: 's2',
          phase: 'implement',
          status: 'warned',
          source: { adapter: 'wfc-bypass', file: '/b', line: 1, offset: 0 },
        }),
        q5: makeEvent({
          id: 'q5',
          type: 'task_end',
          kind: 'task',
          ts: at('10:20'),
          sessionId: 's1',
          taskId: 't1',
          phase: 'implement',
          agentRole: 'coder',
          status: 'success',
          source: { adapter: 'kpi', file: '/k', line: 2, offset: 90 },
        }),
        q6: makeEvent({
          id: 'q6',
          type: 'task_start',
          kind: 'task',
          ts: at('10:25'),
          sessionId: 's2',
          taskId: 't2',
          phase: 'implement',
          agentRole: 'coder',
          model: 'm-b',
          status: 'started',
          source: { adapter: 'kpi', file: '/k', line: 3, offset: 180 },
        }),
        q7: makeEvent({
          id: 'q7',
          type: 'gate_check',
          kind: 'gate',
          ts: at('10:30'),
          sessionId: 's2',
          phase: 'verify',
          status: 'failure',
          source: { adapter: 'wfc-events', file: '/e', line: 1, offset: 0 },
        }),
        q8: makeEvent({
          id: 'q8',
          type: 'llm_response',
          kind: 'llm_call',
          ts: at('10:35'),
          sessionId: 's2',
          taskId: 't2',
          phase: 'implement',
          agentRole: 'coder',
          model: 'm-b',
          status: 'success',
          source: { adapter: 'agent-events', file: '/a', line: 2, offset: 80 },
        }),
        q9: makeEvent({
          id: 'q9',
          type: 'task_end',
          kind: 'task',
          ts: at('10:40'),
          sessionId: 's2',
          taskId: 't2',
          phase: 'verify',
          agentRole: 'coder',
          status: 'failure',
          source: { adapter: 'kpi', file: '/k', line: 4, offset: 270 },
        }),
        q10: makeEvent({
          id: 'q10',
          type: 'session_end',
          kind: 'session',
          ts: at('10:45'),
          sessionId: 's1',
          status: 'success',
          source: { adapter: 'wfc-session', file: '/s', line: null, offset: null },
        }),
        q11: makeEvent({
          id: 'q11',
          type: 'log_line',
          kind: 'log',
          ts: at('10:45'),
          source: { adapter: 'generic', file: '/g', line: 1, offset: 0 },
        }),
        q12: makeEvent({
          id: 'q12',
          type: 'review_done',
          kind: 'review',
          ts: at('10:50'),
          sessionId: 's2',
          phase: 'review',
          agentRole: 'reviewer',
          model: 'm-a',
          status: 'failure',
          source: { adapter: 'wfc-review', file: '/r2', line: null, offset: null },
        }),
      };
      const seed = async (store: Store) => {
        await store.ingest({ events: [q.q7, q.q11, q.q2, q.q9, q.q4, q.q12], checkpoints: [] });
        await store.ingest({ events: [q.q1, q.q10, q.q3, q.q5, q.q6, q.q8], checkpoints: [] });
      };
      const ascending = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'q11', 'q10', 'q12'];

      const filters: [string, EventFilter, string[]][] = [
        ['no filter', {}, ascending],
        ['types', { types: ['task_start', 'task_end'] }, ['q1', 'q5', 'q6', 'q9']],
        ['rare kinds', { kinds: ['review', 'bypass'] }, ['q3', 'q4', 'q12']],
        ['bulk kinds', { kinds: ['task', 'llm_call'] }, ['q1', 'q2', 'q5', 'q6', 'q8', 'q9']],
        ['rare and bulk kinds', { kinds: ['review', 'llm_call'] }, ['q2', 'q3', 'q8', 'q12']],
        ['one rare kind', { kinds: ['session'] }, ['q10']],
        ['sessionId', { sessionId: 's1' }, ['q1', 'q2', 'q3', 'q5', 'q10']],
        ['taskId', { taskId: 't2' }, ['q6', 'q8', 'q9']],
        ['phase', { phase: 'implement' }, ['q4', 'q5', 'q6', 'q8']],
        ['agentRole', { agentRole: 'coder' }, ['q5', 'q6', 'q8', 'q9']],
        // An event without a model of its own belongs to its task's model (q5 → t1, q9 → t2).
        ['model', { model: 'm-b' }, ['q3', 'q6', 'q8', 'q9']],
        ['model through the task join', { model: 'm-a' }, ['q1', 'q2', 'q5', 'q12']],
        ['model and kind', { model: 'm-b', kinds: ['task'] }, ['q6', 'q9']],
        ['status', { status: 'failure' }, ['q7', 'q9', 'q12']],
        ['adapter', { adapter: 'kpi' }, ['q1', 'q5', 'q6', 'q9']],
        [
          'since (inclusive)',
          { since: at('10:20') },
          ['q5', 'q6', 'q7', 'q8', 'q9', 'q11', 'q10', 'q12'],
        ],
        ['until (exclusive)', { until: at('10:20') }, ['q1', 'q2', 'q3', 'q4']],
        [
          'since and until',
          { since: at('10:10'), until: at('10:45') },
          ['q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9'],
        ],
        ['combined', { sessionId: 's2', kinds: ['task'], status: 'failure' }, ['q9']],
        ['combined rare', { kinds: ['review'], model: 'm-a', since: at('10:00') }, ['q12']],
        ['no match', { model: 'nope' }, []],
      ];
      for (const [label, filter, expected] of filters) {
        storeIt(`filters by ${label}: query, count and iterate agree`, async ({ store }) => {
          await seed(store);
          expect(await idsOf(store, filter)).toEqual(expected);
          expect(await idsOf(store, { ...filter, descending: true })).toEqual(
            [...expected].reverse(),
          );
          expect(await store.countEvents(filter)).toBe(expected.length);
          expect((await collect(store.iterateEvents(filter))).map((e) => e.id)).toEqual(expected);
        });
      }

      storeIt('counts by type', async ({ store }) => {
        await seed(store);
        const sorted = (list: { type: string; kind: string; count: number }[]) =>
          [...list].sort((a, b) => a.type.localeCompare(b.type) || a.kind.localeCompare(b.kind));
        expect(sorted(await store.countByType({}))).toEqual([
          { type: 'bypass', kind: 'bypass', count: 1 },
          { type: 'gate_check', kind: 'gate', count: 1 },
          { type: 'llm_response', kind: 'llm_call', count: 2 },
          { type: 'log_line', kind: 'log', count: 1 },
          { type: 'review_done', kind: 'review', count: 2 },
          { type: 'session_end', kind: 'session', count: 1 },
          { type: 'task_end', kind: 'task', count: 2 },
          { type: 'task_start', kind: 'task', count: 2 },
        ]);
        expect(sorted(await store.countByType({ sessionId: 's2', since: at('10:20') }))).toEqual([
          { type: 'gate_check', kind: 'gate', count: 1 },
          { type: 'llm_response', kind: 'llm_call', count: 1 },
          { type: 'review_done', kind: 'review', count: 1 },
          { type: 'task_end', kind: 'task', count: 1 },
          { type: 'task_start', kind: 'task', count: 1 },
        ]);
        expect(await store.countByType({ model: 'nope' })).toEqual([]);
      });

      storeIt('limits and pages a filtered query', async ({ store }) => {
        await seed(store);
        const first = await store.queryEvents({ limit: 5 });
        expect(first.events.map((e) => e.id)).toEqual(ascending.slice(0, 5));
        expect(first.nextCursor).not.toBeNull();
        const latest = await store.queryEvents({ limit: 3, descending: true });
        expect(latest.events.map((e) => e.id)).toEqual(['q12', 'q10', 'q11']);
        const all = await store.queryEvents({ limit: 12 });
        expect([all.events.length, all.nextCursor]).toEqual([12, null]);

        const pages: string[][] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await store.queryEvents({
            sessionId: 's2',
            limit: 2,
            ...(cursor === undefined ? {} : { cursor }),
          });
          pages.push(page.events.map((e) => e.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(pages).toEqual([
          ['q4', 'q6'],
          ['q7', 'q8'],
          ['q9', 'q12'],
        ]);
      });

      storeIt('rejects an invalid cursor', async ({ store }) => {
        await seed(store);
        await expect(store.queryEvents({ cursor: 'not a cursor!' })).rejects.toThrow();
        await expect(
          store.queryEvents({ cursor: 'eyJ0cyI6Ij8ifQ', descending: true }),
        ).rejects.toThrow();
      });

      storeIt('reports the time range', async ({ store }) => {
        expect(await store.timeRange()).toBeNull();
        await seed(store);
        expect(await store.timeRange()).toEqual({ first: at('10:00'), last: at('10:50') });
      });

      storeIt(
        'walks 2,500 events in pages of 100 in both directions with no gaps or repeats',
        async ({ store }) => {
          // 500 distinct timestamps, 5 events each, stored out of time order in 5 batches.
          const events = Array.from({ length: 2500 }, (_, i) =>
            makeEvent({
              id: `p-${i}`,
              ts: at('08:00') + ((i * 7919) % 500) * 1000,
              kind: i % 2 === 0 ? 'task' : 'llm_call',
              type: i % 2 === 0 ? 'task_progress' : 'llm_response',
              taskId: i % 2 === 0 ? `pt-${i % 17}` : null,
            }),
          );
          for (let b = 0; b < 5; b++) {
            expect(
              (
                await store.ingest({
                  events: events.slice(b * 500, b * 500 + 500),
                  checkpoints: [],
                })
              ).inserted,
            ).toBe(500);
          }
          // Ascending by ts, then by insertion (a stable sort keeps insertion order on ties).
          const expected = [...events].sort((a, b) => a.ts - b.ts).map((e) => e.id);
          const walk = async (query: EventQuery) => {
            const seen: string[] = [];
            let pages = 0;
            let cursor: string | undefined;
            for (;;) {
              const page = await store.queryEvents({
                ...query,
                limit: 100,
                ...(cursor === undefined ? {} : { cursor }),
              });
              pages += 1;
              expect(page.events.length).toBeLessThanOrEqual(100);
              seen.push(...page.events.map((e) => e.id));
              if (page.nextCursor === null) break;
              cursor = page.nextCursor;
              if (pages > 100) throw new Error('pagination does not end');
            }
            return { seen, pages };
          };
          const up = await walk({});
          expect(up.pages).toBe(25);
          expect(up.seen).toEqual(expected);
          const down = await walk({ descending: true });
          expect(down.pages).toBe(25);
          expect(down.seen).toEqual([...expected].reverse());
          const llm = await walk({ kinds: ['llm_call'] });
          expect(llm.pages).toBe(13);
          expect(llm.seen).toEqual(expected.filter((id) => Number(id.slice(2)) % 2 === 1));
          expect((await collect(store.iterateEvents({}))).map((e) => e.id)).toEqual(expected);
          expect(await store.countEvents({ kinds: ['task'] })).toBe(1250);
        },
        120_000,
      );
    });

    describe('the task join', () => {
      const start = taskStart('kpi-1', 'task_abc123', at('14:30'), {
        sessionId: 'sess_xyz',
        model: 'gpt-5.3-codex',
      });
      const end = taskEnd('kpi-2', 'task_abc123', at('14:32:30'), 'success', {
        sessionId: 'sess_xyz',
        tokensIn: 1500,
        tokensOut: 800,
        durationMs: 150_000,
      });
      const expectedTask: TaskState = {
        taskId: 'task_abc123',
        model: 'gpt-5.3-codex',
        sessionId: 'sess_xyz',
        startedTs: at('14:30'),
        endedTs: at('14:32:30'),
        status: 'success',
        attempts: 1,
        durationMs: 150_000,
        tokensIn: 1500,
        tokensOut: 800,
        tokensCacheRead: 0,
        tokensCacheWrite: 0,
        costUsd: null,
        firstTs: at('14:30'),
        eventCount: 2,
        spanFirstTs: at('14:30'),
        spanLastTs: at('14:32:30'),
      };
      const expectedAgg = [
        agg('gpt-5.3-codex', {
          tasks: 1,
          ended: 1,
          success: 1,
          durationSumMs: 150_000,
          durationCount: 1,
          tokensIn: 1500,
          tokensOut: 800,
        }),
      ];
      const orders: [string, VigilEvent[][]][] = [
        ['start then end, one batch', [[start, end]]],
        ['end then start, one batch', [[end, start]]],
        ['start then end, two batches', [[start], [end]]],
        ['end then start, two batches', [[end], [start]]],
      ];
      for (const [label, batches] of orders) {
        storeIt(
          `joins model from the start and usage from the end: ${label}`,
          async ({ store, reopen }) => {
            for (const events of batches) await store.ingest({ events, checkpoints: [] });
            expect(await store.getTask('task_abc123')).toEqual(expectedTask);
            expect(
              await store.aggregateByModel({ since: at('14:00'), until: at('15:00') }),
            ).toEqual(expectedAgg);
            expect(
              await store.aggregateByModel({ since: at('14:17'), until: at('14:42') }),
            ).toEqual(expectedAgg);
            expect(
              await store.aggregateByModel({ since: at('13:00'), until: at('16:00') }),
            ).toEqual(expectedAgg);
            const other = await reopen();
            expect(await other.getTask('task_abc123')).toEqual(expectedTask);
            expect(await other.checkIntegrity()).toEqual(HEALTHY);
          },
        );
      }

      const rStart = taskStart('r-start', 't-retry', at('10:00'), { model: 'm-r' });
      const rProgress = makeEvent({
        id: 'r-progress',
        type: 'task_retry',
        kind: 'task',
        taskId: 't-retry',
        ts: at('10:06'),
        status: 'retrying',
      });
      const rFail = taskEnd('r-fail', 't-retry', at('10:05'), 'failure', {
        tokensIn: 100,
        tokensOut: 10,
        durationMs: 300_000,
      });
      const rOk = taskEnd('r-ok', 't-retry', at('11:20'), 'success', {
        tokensIn: 200,
        tokensOut: 20,
        durationMs: 600_000,
        costUsd: 0.25,
      });
      const retryOrders: [string, VigilEvent[][]][] = [
        ['in order, one batch', [[rStart, rFail, rProgress, rOk]]],
        ['in order, separate batches', [[rStart], [rFail], [rProgress], [rOk]]],
        ['success before failure', [[rOk], [rProgress, rFail], [rStart]]],
      ];
      for (const [label, batches] of retryOrders) {
        storeIt(`folds a retried task: ${label}`, async ({ store }) => {
          for (const events of batches) await store.ingest({ events, checkpoints: [] });
          expect(await store.getTask('t-retry')).toEqual({
            taskId: 't-retry',
            model: 'm-r',
            sessionId: null,
            startedTs: at('10:00'),
            endedTs: at('11:20'),
            status: 'success',
            attempts: 2,
            durationMs: 900_000,
            tokensIn: 300,
            tokensOut: 30,
            tokensCacheRead: 0,
            tokensCacheWrite: 0,
            costUsd: 0.25,
            firstTs: at('10:00'),
            eventCount: 4,
            spanFirstTs: at('10:00'),
            spanLastTs: at('11:20'),
          } satisfies TaskState);
          const counted = agg('m-r', {
            tasks: 1,
            ended: 1,
            success: 1,
            durationSumMs: 900_000,
            durationCount: 1,
            tokensIn: 300,
            tokensOut: 30,
            costReportedUsd: 0.25,
          });
          // The task counts once, at its end (11:20), never at the failed attempt's hour.
          expect(await store.aggregateByModel({ since: at('11:00'), until: at('12:00') })).toEqual([
            counted,
          ]);
          expect(await store.aggregateByModel({ since: at('10:00'), until: at('11:00') })).toEqual(
            [],
          );
          expect(await store.aggregateByModel({ since: at('10:00'), until: at('12:00') })).toEqual([
            counted,
          ]);
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
        });
      }

      storeIt('counts started-only tasks as incomplete', async ({ store }) => {
        await store.ingest({
          events: [
            taskStart('i1', 't-open', at('09:10'), { model: 'm-x' }),
            taskStart('i2', 't-ok', at('09:20'), { model: 'm-x' }),
            taskEnd('i3', 't-ok', at('09:30'), 'success', { durationMs: 1000, tokensIn: 5 }),
            taskStart('i4', 't-slow', at('09:40'), { model: 'm-x' }),
          ],
          checkpoints: [],
        });
        await store.ingest({
          events: [
            taskEnd('i5', 't-slow', at('09:50'), 'timeout', { durationMs: 4000, tokensOut: 7 }),
            taskEnd('i6', 't-bad', at('09:55'), 'failure', { model: 'm-x' }),
          ],
          checkpoints: [],
        });
        expect(await store.getTask('t-open')).toEqual({
          ...emptyTask('t-open', at('09:10')),
          model: 'm-x',
          startedTs: at('09:10'),
          eventCount: 1,
        } satisfies TaskState);
        expect(await store.getTask('t-unknown')).toBeNull();
        expect(await store.aggregateByModel({ since: at('09:00'), until: at('10:00') })).toEqual([
          agg('m-x', {
            tasks: 4,
            ended: 3,
            success: 1,
            failure: 1,
            timeout: 1,
            incomplete: 1,
            durationSumMs: 5000,
            durationCount: 2,
            tokensIn: 5,
            tokensOut: 7,
          }),
        ]);
        // Ending the open task moves it from incomplete to ended.
        await store.ingest({
          events: [taskEnd('i7', 't-open', at('09:58'), 'cancelled', { durationMs: 500 })],
          checkpoints: [],
        });
        expect(await store.aggregateByModel({ since: at('09:00'), until: at('10:00') })).toEqual([
          agg('m-x', {
            tasks: 4,
            ended: 4,
            success: 1,
            failure: 1,
            timeout: 1,
            incomplete: 0,
            durationSumMs: 5500,
            durationCount: 3,
            tokensIn: 5,
            tokensOut: 7,
          }),
        ]);
      });
    });

    describe('aggregateByModel', () => {
      const usage = [
        taskStart('u1', 'ut1', at('10:05'), { model: 'm-task' }),
        taskEnd('u2', 'ut1', at('10:50'), 'success', {
          tokensIn: 1000,
          tokensOut: 100,
          durationMs: 60_000,
          costUsd: 0.5,
        }),
        makeEvent({
          id: 'u3',
          kind: 'llm_call',
          type: 'llm_response',
          ts: at('10:20'),
          taskId: 'ut1',
          model: 'm-llm',
          tokensIn: 300,
          tokensOut: 30,
          tokensCacheRead: 50,
          tokensCacheWrite: 5,
          costUsd: 0.25,
        }),
        makeEvent({
          id: 'u4',
          kind: 'llm_call',
          type: 'llm_response',
          ts: at('10:40'),
          tokensIn: 7,
          tokensOut: 3,
        }),
        makeEvent({ id: 'u5', kind: 'log', ts: at('10:30'), model: 'm-quiet' }),
        makeEvent({
          id: 'u6',
          kind: 'task',
          type: 'task_note',
          ts: at('10:45'),
          model: 'm-orphan',
          tokensIn: 11,
        }),
        makeEvent({
          id: 'u7',
          kind: 'review',
          type: 'review_done',
          ts: at('10:55'),
          model: 'm-llm',
          tokensIn: 20,
          tokensOut: 2,
        }),
        makeEvent({
          id: 'u8',
          kind: 'llm_call',
          type: 'llm_response',
          ts: at('11:00'),
          model: 'm-llm',
          tokensIn: 1,
        }),
      ];
      const hour = [
        agg('', { tokensIn: 7, tokensOut: 3 }),
        agg('m-llm', {
          tokensIn: 320,
          tokensOut: 32,
          tokensCacheRead: 50,
          tokensCacheWrite: 5,
          costReportedUsd: 0.25,
        }),
        agg('m-orphan', { tokensIn: 11 }),
        agg('m-task', {
          tasks: 1,
          ended: 1,
          success: 1,
          durationSumMs: 60_000,
          durationCount: 1,
          tokensIn: 1000,
          tokensOut: 100,
          costReportedUsd: 0.5,
        }),
      ];
      const cases: [string, AggregateQuery, ModelAggregate[]][] = [
        ['one whole hour', { since: at('10:00'), until: at('11:00') }, hour],
        ['whole hours around it', { since: at('09:00'), until: at('11:00') }, hour],
        [
          'a ragged end just before the next hour',
          { since: at('09:00'), until: at('10:59:59.999') },
          hour,
        ],
        [
          'a ragged range inside the hour',
          { since: at('10:17'), until: at('10:42') },
          [
            agg('', { tokensIn: 7, tokensOut: 3 }),
            agg('m-llm', {
              tokensIn: 300,
              tokensOut: 30,
              tokensCacheRead: 50,
              tokensCacheWrite: 5,
              costReportedUsd: 0.25,
            }),
          ],
        ],
        [
          'a ragged range holding the task end',
          { since: at('10:42'), until: at('10:51') },
          [agg('m-orphan', { tokensIn: 11 }), hour[3] as ModelAggregate],
        ],
        [
          'until is exclusive',
          { since: at('10:50:00.001'), until: at('11:00') },
          [agg('m-llm', { tokensIn: 20, tokensOut: 2 })],
        ],
        [
          'since is inclusive',
          { since: at('11:00'), until: at('11:00:00.001') },
          [agg('m-llm', { tokensIn: 1 })],
        ],
        [
          'the model filter',
          { since: at('10:00'), until: at('11:00'), model: 'm-llm' },
          [hour[1] as ModelAggregate],
        ],
        [
          'the model filter on a ragged range',
          { since: at('10:17'), until: at('13:42'), model: 'm-llm' },
          [
            agg('m-llm', {
              tokensIn: 321,
              tokensOut: 32,
              tokensCacheRead: 50,
              tokensCacheWrite: 5,
              costReportedUsd: 0.25,
            }),
          ],
        ],
        [
          'the empty model',
          { since: at('10:00'), until: at('11:00'), model: '' },
          [hour[0] as ModelAggregate],
        ],
        ['an empty range', { since: at('12:00'), until: at('13:00') }, []],
      ];
      for (const [label, query, expected] of cases) {
        storeIt(
          `counts task tokens by the task's model and other tokens by their own: ${label}`,
          async ({ store }) => {
            await store.ingest({ events: usage.slice(0, 4), checkpoints: [] });
            await store.ingest({ events: usage.slice(4), checkpoints: [] });
            expect(byModel(await store.aggregateByModel(query))).toEqual(expected);
          },
        );
      }

      storeIt(
        'matches the sum of contributions for hour-aligned and ragged ranges',
        async ({ store }) => {
          const events = buildScenario(42);
          const rand = prng(43);
          for (const batch of chunks(shuffle(events, rand), rand, 25))
            await store.ingest({ events: batch, checkpoints: [] });
          const ranges: [string, string][] = [
            ['07:00', '20:00'],
            ['08:00', '16:00'],
            ['10:00', '13:00'],
            ['10:17', '13:42'],
            ['10:17', '11:00'],
            ['11:00', '13:00'],
            ['13:00', '13:42'],
            ['10:17', '10:42'],
            ['10:00', '10:42'],
            ['12:59', '13:01'],
            ['15:30', '19:45'],
          ];
          const check = async () => {
            for (const [from, to] of ranges) {
              const query = { since: at(from), until: at(to) };
              expect(byModel(await store.aggregateByModel(query)), `${from}-${to}`).toEqual(
                referenceAggregates(events, query),
              );
              for (const model of ['m-a', '']) {
                expect(
                  byModel(await store.aggregateByModel({ ...query, model })),
                  `${from}-${to} ${model}`,
                ).toEqual(referenceAggregates(events, { ...query, model }));
              }
            }
          };
          await check();
          // Sanity: the scenario has usage under every model, the empty one included.
          expect(
            referenceAggregates(events, { since: at('07:00'), until: at('20:00') }).map(
              (m) => m.model,
            ),
          ).toEqual(['', 'm-a', 'm-b', 'm-c']);
          // Replaying everything changes nothing.
          for (const batch of chunks(events, rand, 40)) {
            expect((await store.ingest({ events: batch, checkpoints: [] })).inserted).toBe(0);
          }
          await check();
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
        },
        120_000,
      );
    });

    describe('sessions', () => {
      const sa = [
        makeEvent({
          id: 'sa1',
          type: 'session_start',
          kind: 'session',
          ts: at('10:00'),
          sessionId: 's-a',
          status: 'started',
          source: { adapter: 'wfc-session', file: '/s', line: null, offset: null },
        }),
        taskStart('sa2', 't-a1', at('10:05'), {
          sessionId: 's-a',
          phase: 'plan',
          model: 'm-a',
          source: { adapter: 'kpi', file: '/k', line: 1, offset: 0 },
        }),
        makeEvent({
          id: 'sa3',
          type: 'llm_response',
          kind: 'llm_call',
          ts: at('10:10'),
          sessionId: 's-a',
          phase: 'plan',
          model: 'm-b',
          tokensIn: 10,
          tokensOut: 5,
          source: { adapter: 'agent-events', file: '/a', line: 1, offset: 0 },
        }),
        taskEnd('sa4', 't-a1', at('10:20'), 'success', {
          sessionId: 's-a',
          phase: 'implement',
          tokensIn: 100,
          tokensOut: 50,
          source: { adapter: 'kpi', file: '/k', line: 2, offset: 90 },
        }),
        taskStart('sa5', 't-a2', at('10:25'), {
          sessionId: 's-a',
          phase: 'implement',
          source: { adapter: 'kpi', file: '/k', line: 3, offset: 180 },
        }),
        taskStart('sa6', 't-a3', at('10:30'), {
          sessionId: 's-a',
          phase: 'verify',
          source: { adapter: 'kpi', file: '/k', line: 4, offset: 270 },
        }),
        taskEnd('sa7', 't-a3', at('10:35'), 'failure', {
          sessionId: 's-a',
          phase: 'verify',
          source: { adapter: 'kpi', file: '/k', line: 5, offset: 360 },
        }),
        makeEvent({
          id: 'sa8',
          type: 'session_end',
          kind: 'session',
          ts: at('10:40'),
          sessionId: 's-a',
          status: 'success',
          source: { adapter: 'wfc-session', file: '/s', line: null, offset: null },
        }),
      ] as const;
      const sb = [
        makeEvent({
          id: 'sb1',
          ts: at('12:00'),
          sessionId: 's-b',
          source: { adapter: 'generic', file: '/g', line: 1, offset: 0 },
        }),
        makeEvent({
          id: 'sb2',
          ts: at('12:30'),
          sessionId: 's-b',
          source: { adapter: 'generic', file: '/g', line: 2, offset: 50 },
        }),
      ] as const;
      const sc = [
        makeEvent({
          id: 'sc1',
          type: 'session_start',
          kind: 'session',
          ts: at('14:00'),
          sessionId: 's-c',
          status: 'started',
        }),
        makeEvent({
          id: 'sc2',
          type: 'session_error',
          kind: 'session',
          ts: at('14:30'),
          sessionId: 's-c',
          status: 'failure',
        }),
        makeEvent({
          id: 'sc3',
          type: 'session_end',
          kind: 'session',
          ts: at('15:00'),
          sessionId: 's-c',
          status: 'cancelled',
        }),
        makeEvent({
          id: 'sc4',
          type: 'log_line',
          kind: 'log',
          ts: at('15:10'),
          sessionId: 's-c',
          status: 'success',
        }),
      ] as const;
      const seed = async (store: Store) => {
        // Latest first, so that status, phases and first/last must not follow arrival order.
        await store.ingest({ events: [sa[7], sa[6], sa[5], sc[2], sc[3], sb[1]], checkpoints: [] });
        await store.ingest({ events: [sa[3], sa[4], sa[2], sc[0]], checkpoints: [] });
        await store.ingest({ events: [sa[1], sa[0], sc[1], sb[0]], checkpoints: [] });
      };
      const infoA: SessionInfo = {
        sessionId: 's-a',
        firstTs: at('10:00'),
        lastTs: at('10:40'),
        eventCount: 8,
        status: 'success',
        models: ['m-a', 'm-b'],
        adapters: ['agent-events', 'kpi', 'wfc-session'],
        tokensIn: 110,
        tokensOut: 55,
      };
      const infoB: SessionInfo = {
        sessionId: 's-b',
        firstTs: at('12:00'),
        lastTs: at('12:30'),
        eventCount: 2,
        status: null,
        models: [],
        adapters: ['generic'],
        tokensIn: 0,
        tokensOut: 0,
      };

      storeIt('summarises a session', async ({ store }) => {
        await seed(store);
        expect(normaliseSession(await store.getSession('s-a'))).toEqual({
          ...infoA,
          countsByKind: { session: 2, task: 5, llm_call: 1 },
          countsByType: {
            session_start: 1,
            session_end: 1,
            task_start: 3,
            task_end: 2,
            llm_response: 1,
          },
          tasks: { total: 3, success: 1, failure: 1, incomplete: 1 },
          phases: ['plan', 'implement', 'verify'],
        });
        expect(normaliseSession(await store.getSession('s-b'))).toEqual({
          ...infoB,
          countsByKind: { log: 2 },
          countsByType: { log_line: 2 },
          tasks: { total: 0, success: 0, failure: 0, incomplete: 0 },
          phases: [],
        });
        expect(await store.getSession('s-missing')).toBeNull();
      });

      storeIt('takes the status from the latest session-kind event', async ({ store }) => {
        await seed(store);
        expect((await store.getSession('s-c'))?.status).toBe('cancelled');
        expect((await store.getSession('s-a'))?.status).toBe('success');
      });

      storeIt(
        'sums countsByType over kinds when a type appears under two kinds',
        async ({ store }) => {
          await store.ingest({
            events: [
              makeEvent({ id: 'n1', type: 'note', kind: 'log', sessionId: 's-n', ts: at('10:00') }),
              makeEvent({
                id: 'n2',
                type: 'note',
                kind: 'artifact',
                sessionId: 's-n',
                ts: at('10:01'),
              }),
              makeEvent({
                id: 'n3',
                type: 'note',
                kind: 'artifact',
                sessionId: 's-n',
                ts: at('10:02'),
              }),
            ],
            checkpoints: [],
          });
          const s = await store.getSession('s-n');
          expect(s?.countsByKind).toEqual({ log: 1, artifact: 2 });
          expect(s?.countsByType).toEqual({ note: 3 });
        },
      );

      const overlaps: [string, { since?: number; until?: number }, string[]][] = [
        ['everything', {}, ['s-a', 's-b', 's-c']],
        ['since equal to a last event (inclusive)', { since: at('10:40') }, ['s-a', 's-b', 's-c']],
        ['since just after a session', { since: at('10:40:00.001') }, ['s-b', 's-c']],
        ['until equal to a first event (exclusive)', { until: at('12:00') }, ['s-a']],
        ['until just after a first event', { until: at('12:00:00.001') }, ['s-a', 's-b']],
        ['a range inside a session', { since: at('12:10'), until: at('12:20') }, ['s-b']],
        ['a gap between sessions', { since: at('11:00'), until: at('11:59') }, []],
        ['a range spanning two', { since: at('12:15'), until: at('14:01') }, ['s-b', 's-c']],
      ];
      for (const [label, query, expected] of overlaps) {
        storeIt(`lists sessions overlapping ${label}`, async ({ store }) => {
          await seed(store);
          const list = await store.listSessions(query);
          expect(list.map((s) => s.sessionId).sort()).toEqual(expected);
        });
      }

      storeIt('lists session details and honours the limit', async ({ store }) => {
        await seed(store);
        const list = await store.listSessions({});
        const byId = new Map(list.map((s) => [s.sessionId, normaliseSession(s)]));
        expect(byId.get('s-a')).toEqual(infoA);
        expect(byId.get('s-b')).toEqual(infoB);
        expect(byId.get('s-c')).toEqual({
          sessionId: 's-c',
          firstTs: at('14:00'),
          lastTs: at('15:10'),
          eventCount: 4,
          status: 'cancelled',
          models: [],
          adapters: ['test'],
          tokensIn: 0,
          tokensOut: 0,
        } satisfies SessionInfo);
        expect(await store.listSessions({ limit: 2 })).toHaveLength(2);
      });
    });

    describe('prune', () => {
      const cutoff = at('12:00');
      const pe = {
        p1s: taskStart('p1s', 'p1', at('08:10'), { sessionId: 's-old', model: 'm-a' }),
        p1e: taskEnd('p1e', 'p1', at('08:50'), 'success', {
          sessionId: 's-old',
          tokensIn: 100,
          tokensOut: 10,
        }),
        llmOld: makeEvent({
          id: 'llm-old',
          kind: 'llm_call',
          type: 'llm_response',
          ts: at('09:15'),
          sessionId: 's-mid',
          model: 'm-old',
          phase: 'explore',
          tokensIn: 40,
          tokensOut: 4,
          source: { adapter: 'old-adapter', file: null, line: null, offset: null },
        }),
        p2s: taskStart('p2s', 'p2', at('11:30'), { sessionId: 's-mid', model: 'm-a' }),
        logBefore: makeEvent({ id: 'log-before', ts: cutoff - 1 }),
        logAt: makeEvent({ id: 'log-at', ts: cutoff }),
        p2e: taskEnd('p2e', 'p2', at('12:30'), 'success', {
          sessionId: 's-mid',
          model: 'm-a',
          phase: 'implement',
          tokensIn: 200,
          tokensOut: 20,
          durationMs: 3_600_000,
        }),
        llmNew: makeEvent({
          id: 'llm-new',
          kind: 'llm_call',
          type: 'llm_response',
          ts: at('12:45'),
          sessionId: 's-mid',
          model: 'm-b',
          tokensIn: 50,
          tokensOut: 5,
        }),
        p3s: taskStart('p3s', 'p3', at('13:00'), { sessionId: 's-new', model: 'm-b' }),
        p3e: taskEnd('p3e', 'p3', at('13:10'), 'failure', {
          sessionId: 's-new',
          tokensIn: 300,
          tokensOut: 30,
        }),
      };
      const all = Object.values(pe);
      const kept = [pe.logAt, pe.p2e, pe.llmNew, pe.p3s, pe.p3e];
      const seed = async (store: Store) => {
        await store.ingest({ events: all.slice(0, 5), checkpoints: [] });
        await store.ingest({ events: all.slice(5), checkpoints: [] });
      };

      storeIt('counts without deleting on a dry run', async ({ store }) => {
        await seed(store);
        expect(await store.prune(cutoff, { dryRun: true })).toEqual({
          events: 5,
          tasks: 1,
          sessions: 1,
        });
        expect(await store.countEvents({})).toBe(10);
        expect(await store.getTask('p1')).not.toBeNull();
        expect(await store.getSession('s-old')).not.toBeNull();
        expect(await store.prune(cutoff, { dryRun: true })).toEqual({
          events: 5,
          tasks: 1,
          sessions: 1,
        });
      });

      storeIt(
        'deletes what is older than the cutoff and nothing newer, idempotently',
        async ({ store }) => {
          await seed(store);
          const p2 = await store.getTask('p2');
          const p3 = await store.getTask('p3');
          const wholeBefore = { since: at('08:00'), until: cutoff };
          const aggBefore = await store.aggregateByModel(wholeBefore);
          expect(byModel(aggBefore)).toEqual([
            agg('m-a', { tasks: 1, ended: 1, success: 1, tokensIn: 100, tokensOut: 10 }),
            agg('m-old', { tokensIn: 40, tokensOut: 4 }),
          ]);
          const aggAfterCutoff = await store.aggregateByModel({
            since: cutoff,
            until: at('14:00'),
          });

          expect(await store.prune(cutoff, { dryRun: false })).toEqual({
            events: 5,
            tasks: 1,
            sessions: 1,
          });
          expect((await store.queryEvents({})).events).toEqual(kept);
          expect(await store.getTask('p1')).toBeNull();
          expect(await store.getTask('p2')).toEqual(p2);
          expect(await store.getTask('p3')).toEqual(p3);
          expect(await store.getSession('s-old')).toBeNull();
          expect((await store.listSessions({})).map((s) => s.sessionId).sort()).toEqual([
            's-mid',
            's-new',
          ]);
          const mid = await store.getSession('s-mid');
          expect(
            mid && [mid.firstTs, mid.lastTs, mid.eventCount, mid.tokensIn, mid.tokensOut],
          ).toEqual([at('12:30'), at('12:45'), 2, 250, 25]);
          expect(mid?.countsByKind).toEqual({ task: 1, llm_call: 1 });
          expect(mid?.tasks).toEqual({ total: 1, success: 1, failure: 0, incomplete: 0 });
          expect(mid?.phases).toEqual(['implement']);
          expect(await store.timeRange()).toEqual({ first: cutoff, last: at('13:10') });

          // Hourly aggregates are retained: whole hours before the cutoff still report them.
          expect(byModel(await store.aggregateByModel(wholeBefore))).toEqual(byModel(aggBefore));
          expect(
            byModel(await store.aggregateByModel({ since: cutoff, until: at('14:00') })),
          ).toEqual(byModel(aggAfterCutoff));

          expect(await store.prune(cutoff, { dryRun: false })).toEqual({
            events: 0,
            tasks: 0,
            sessions: 0,
          });
          expect(await store.prune(cutoff, { dryRun: true })).toEqual({
            events: 0,
            tasks: 0,
            sessions: 0,
          });
          expect(await store.countEvents({})).toBe(5);
          expect(await store.checkIntegrity()).toEqual(HEALTHY);

          // Dedupe still holds for what was kept.
          const replay = await store.ingest({ events: kept, checkpoints: [] });
          expect([replay.inserted, replay.duplicates]).toEqual([0, 5]);
          const fresh = makeEvent({ id: 'after-prune', ts: at('13:30') });
          expect(
            (await store.ingest({ events: [fresh, ...kept], checkpoints: [] })).committed,
          ).toEqual([fresh]);
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
        },
      );

      storeIt(
        'recomputes the models, adapters and status of a session cut by the cutoff',
        async ({ store }) => {
          await seed(store);
          const started = makeEvent({
            id: 'mid-start',
            type: 'session_start',
            kind: 'session',
            sessionId: 's-mid',
            status: 'started',
            ts: at('09:00'),
          });
          await store.ingest({ events: [started], checkpoints: [] });
          expect((await store.getSession('s-mid'))?.status).toBe('started');
          await store.prune(cutoff, { dryRun: false });
          const mid = normaliseSession(await store.getSession('s-mid'));
          // Only what the kept events say: m-old, old-adapter and the pruned session_start are gone.
          expect(
            mid && {
              models: mid.models,
              adapters: mid.adapters,
              status: mid.status,
              countsByKind: mid.countsByKind,
            },
          ).toEqual({
            models: ['m-a', 'm-b'],
            adapters: ['test'],
            status: null,
            countsByKind: { task: 1, llm_call: 1 },
          });
        },
      );

      // "Tasks that end before the cutoff": a task still running has not ended. Deleting it
      // loses its model and, when its end arrives, counts the task a second time.
      storeIt(
        'keeps a task still running at the cutoff and joins its later end',
        async ({ store }) => {
          await store.ingest({
            events: [taskStart('run-s', 'run', at('11:30'), { model: 'm-long' })],
            checkpoints: [],
          });
          expect(await store.prune(cutoff, { dryRun: true })).toEqual({
            events: 1,
            tasks: 0,
            sessions: 0,
          });
          expect(await store.prune(cutoff, { dryRun: false })).toEqual({
            events: 1,
            tasks: 0,
            sessions: 0,
          });
          expect((await store.getTask('run'))?.model).toBe('m-long');
          await store.ingest({
            events: [taskEnd('run-e', 'run', at('12:30'), 'success', { tokensIn: 9 })],
            checkpoints: [],
          });
          expect(await store.getTask('run')).toMatchObject({
            model: 'm-long',
            status: 'success',
            startedTs: at('11:30'),
            tokensIn: 9,
            attempts: 1,
          });
          expect(
            byModel(await store.aggregateByModel({ since: at('11:00'), until: at('13:00') })),
          ).toEqual([agg('m-long', { tasks: 1, ended: 1, success: 1, tokensIn: 9 })]);
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
        },
      );

      storeIt(
        'leaves a second store on the same data deduping after a prune',
        async ({ store, reopen }) => {
          const other = await reopen();
          await seed(other);
          await store.prune(cutoff, { dryRun: false });
          const viaOther = await other.ingest({ events: kept, checkpoints: [] });
          const viaStore = await store.ingest({ events: kept, checkpoints: [] });
          expect([
            viaOther.inserted,
            viaOther.duplicates,
            viaStore.inserted,
            viaStore.duplicates,
          ]).toEqual([0, 5, 0, 5]);
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
        },
      );
    });

    describe('rewriteField', () => {
      const redact = (v: string) => v.replace(/sk-secret-\d/g, '[redacted]');
      const r1 = makeEvent({
        id: 'r1',
        ts: at('10:00'),
        message: 'token sk-secret-1 leaked',
        attrs: { key: 'sk-secret-2', n: 1 },
      });
      const r2 = makeEvent({ id: 'r2', ts: at('10:01'), message: 'fine', attrs: { note: 'ok' } });
      const r3 = makeEvent({
        id: 'r3',
        ts: at('10:02'),
        message: 'sk-secret-3 and sk-secret-4',
        attrs: { nested: { k: 'sk-secret-5' } },
      });
      const r4 = makeEvent({ id: 'r4', ts: at('10:03'), message: null, attrs: { plain: 'x' } });
      const seed = (store: Store) => store.ingest({ events: [r1, r2, r3, r4], checkpoints: [] });

      storeIt('rewrites messages, and a dry run only counts', async ({ store }) => {
        await seed(store);
        expect(await store.rewriteField('message', redact, { dryRun: true })).toEqual({
          scanned: 3,
          changed: 2,
        });
        expect((await store.queryEvents({})).events).toEqual([r1, r2, r3, r4]);
        expect(await store.rewriteField('message', redact, { dryRun: false })).toEqual({
          scanned: 3,
          changed: 2,
        });
        expect((await store.queryEvents({})).events).toEqual([
          { ...r1, message: 'token [redacted] leaked' },
          r2,
          { ...r3, message: '[redacted] and [redacted]' },
          r4,
        ]);
        expect(await store.rewriteField('message', redact, { dryRun: false })).toEqual({
          scanned: 3,
          changed: 0,
        });
        expect(
          await store.rewriteField('message', (v) => (v === 'fine' ? null : v), { dryRun: false }),
        ).toEqual({ scanned: 3, changed: 1 });
        expect((await store.queryEvents({ limit: 1, since: at('10:01') })).events).toEqual([
          { ...r2, message: null },
        ]);
        expect(await store.checkIntegrity()).toEqual(HEALTHY);
        const replay = await store.ingest({ events: [r1, r2, r3, r4], checkpoints: [] });
        expect([replay.inserted, replay.duplicates]).toEqual([0, 4]);
      });

      storeIt('rewrites attrs, and a dry run only counts', async ({ store }) => {
        await seed(store);
        expect(await store.rewriteField('attrs', redact, { dryRun: true })).toEqual({
          scanned: 4,
          changed: 2,
        });
        expect((await store.queryEvents({})).events).toEqual([r1, r2, r3, r4]);
        expect(await store.rewriteField('attrs', redact, { dryRun: false })).toEqual({
          scanned: 4,
          changed: 2,
        });
        expect((await store.queryEvents({})).events).toEqual([
          { ...r1, attrs: { key: '[redacted]', n: 1 } },
          r2,
          { ...r3, attrs: { nested: { k: '[redacted]' } } },
          r4,
        ]);
        expect(await store.checkIntegrity()).toEqual(HEALTHY);
      });
    });

    describe('checkIntegrity', () => {
      storeIt('is ok on an empty store', async ({ store }) => {
        expect(await store.checkIntegrity()).toEqual(HEALTHY);
      });

      storeIt(
        'is ok after ingest from two stores, replays, rewrite and prune',
        async ({ store, reopen }) => {
          const events = buildScenario(99);
          const rand = prng(100);
          const other = await reopen();
          const batches = chunks(shuffle(events, rand), rand, 30);
          let inserted = 0;
          for (const [i, batch] of batches.entries()) {
            const writer = i % 2 === 0 ? store : other;
            inserted += (
              await writer.ingest({ events: batch, checkpoints: [makeCheckpoint({ offset: i })] })
            ).inserted;
            if (i % 5 === 0) {
              const replay = batches[Math.floor(rand() * (i + 1))] as VigilEvent[];
              expect(
                (await (i % 2 === 0 ? other : store).ingest({ events: replay, checkpoints: [] }))
                  .inserted,
              ).toBe(0);
            }
          }
          expect(inserted).toBe(events.length);
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
          await other.rewriteField('message', (v) => v.toUpperCase(), { dryRun: false });
          await store.prune(at('11:00'), { dryRun: false });
          expect(await other.checkIntegrity()).toEqual(HEALTHY);
          const late = buildScenario(101).filter((e) => e.ts >= at('11:00'));
          await other.ingest({ events: late, checkpoints: [] });
          expect(await store.checkIntegrity()).toEqual(HEALTHY);
          expect((await store.getCheckpoint(makeCheckpoint().path))?.offset).toBe(
            batches.length - 1,
          );
        },
        120_000,
      );
    });
  });
}
