/** Store contract, ingest: batches, dedupe, conflicts and the committed list. */
import { describe, expect } from 'vitest';

import type { VigilEvent } from '../../core/event.js';
import {
  at,
  HEALTHY,
  makeCheckpoint,
  makeEvent,
  prng,
  shuffle,
  type ContractContext,
} from './fixtures.js';

export function describeIngest({ storeIt, idsOf }: ContractContext): void {
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
        firstSeq: expect.any(Number),
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
      expect(result).toEqual({
        inserted: 3,
        duplicates: 3,
        conflicts: 0,
        committed: [a, b, c],
        firstSeq: expect.any(Number),
      });
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
        firstSeq: expect.any(Number),
      });
      expect(await store.ingest({ events: [b, c, a], checkpoints: [] })).toEqual({
        inserted: 1,
        duplicates: 2,
        conflicts: 0,
        committed: [c],
        firstSeq: expect.any(Number),
      });
      for (let retry = 0; retry < 5; retry++) {
        expect(await store.ingest({ events: [a, b, c], checkpoints: [] })).toEqual({
          inserted: 0,
          duplicates: 3,
          conflicts: 0,
          committed: [],
          firstSeq: null,
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
      expect([first.inserted, first.duplicates, first.conflicts, first.committed.length]).toEqual([
        667, 333, 0, 667,
      ]);
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
          firstSeq: expect.any(Number),
        });
        expect(await store.ingest({ events: [changedTokens, a], checkpoints: [] })).toEqual({
          inserted: 0,
          duplicates: 2,
          conflicts: 1,
          committed: [],
          firstSeq: null,
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
          (await store.queryEvents({ types: ['llm_response'], descending: true, limit: 1 })).events,
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
          firstSeq: null,
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
        firstSeq: null,
      });
      expect(await store.getCheckpoint(cp.path)).toEqual(cp);
      expect(await store.countEvents({})).toBe(0);
      expect(await store.ingest({ events: [], checkpoints: [] })).toEqual({
        inserted: 0,
        duplicates: 0,
        conflicts: 0,
        committed: [],
        firstSeq: null,
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
        firstSeq: expect.any(Number),
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
}
