/** Store contract, maintenance: prune, rewriteField and checkIntegrity. */
import { describe, expect } from 'vitest';

import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../types.js';
import {
  agg,
  at,
  buildScenario,
  byModel,
  chunks,
  HEALTHY,
  makeCheckpoint,
  makeEvent,
  normaliseSession,
  prng,
  shuffle,
  taskEnd,
  taskStart,
  type ContractContext,
} from './fixtures.js';

export function describeMaintenance({ storeIt }: ContractContext): void {
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

  describe('attributes shared by many events', () => {
    const shared = { agent: 'droid-review', token: 'sk-secret-7' };
    const sharedEvents = (prefix: string, n: number, from: string) =>
      Array.from({ length: n }, (_, i) =>
        makeEvent({ id: `${prefix}${i}`, ts: at(from) + i * 60_000, attrs: { ...shared } }),
      );
    const redact = (v: string) => v.replace(/sk-secret-\d/g, '[redacted]');

    storeIt(
      'read back, search and sanitize like any other, from every store',
      async ({ store, reopen }) => {
        const early = await reopen();
        const events = sharedEvents('sh', 9, '10:00');
        for (const batch of [events.slice(0, 1), events.slice(1, 4), events.slice(4)])
          await store.ingest({ events: batch, checkpoints: [] });
        const fromEarly = sharedEvents('ea', 2, '11:00');
        await early.ingest({ events: fromEarly, checkpoints: [] });
        expect((await store.queryEvents({})).events).toEqual([...events, ...fromEarly]);
        expect(await store.countEvents({ text: 'sk-secret-7' })).toBe(11);
        expect(await store.rewriteField('attrs', redact, { dryRun: true })).toEqual({
          scanned: 11,
          changed: 11,
        });
        expect(await store.rewriteField('attrs', redact, { dryRun: false })).toEqual({
          scanned: 11,
          changed: 11,
        });
        expect(await store.countEvents({ text: 'sk-secret-7' })).toBe(0);
        expect(await store.countEvents({ text: '[redacted]' })).toBe(11);
        // Both stores still write the original attributes as they are, not as redacted.
        const later = [...sharedEvents('la', 3, '12:00'), ...sharedEvents('lb', 3, '13:00')];
        await store.ingest({ events: later.slice(0, 3), checkpoints: [] });
        await early.ingest({ events: later.slice(3), checkpoints: [] });
        expect((await store.queryEvents({ since: at('12:00') })).events).toEqual(later);
        expect(await store.countEvents({ text: 'sk-secret-7' })).toBe(6);
        expect(await store.checkIntegrity()).toEqual(HEALTHY);
      },
    );

    storeIt('survive a prune by another store', async ({ store, reopen }) => {
      const other = await reopen();
      const old = sharedEvents('po', 4, '09:00');
      const kept = sharedEvents('pk', 2, '13:00');
      await store.ingest({ events: old, checkpoints: [] });
      await other.prune(at('12:00'), { dryRun: false });
      await store.ingest({ events: kept, checkpoints: [] });
      expect((await store.queryEvents({})).events).toEqual(kept);
      await other.prune(at('14:00'), { dryRun: false });
      const again = sharedEvents('pa', 3, '15:00');
      await store.ingest({ events: again, checkpoints: [] });
      expect((await other.queryEvents({})).events).toEqual(again);
      expect(await other.checkIntegrity()).toEqual(HEALTHY);
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
        expect((await store.getCheckpoint(makeCheckpoint().path))?.offset).toBe(batches.length - 1);
      },
      120_000,
    );
  });
}
