/** Store contract, sessions: getSession and listSessions. */
import { describe, expect } from 'vitest';

import type { SessionInfo, Store } from '../types.js';
import {
  at,
  makeEvent,
  normaliseSession,
  taskEnd,
  taskStart,
  type ContractContext,
} from './fixtures.js';

export function describeSessions({ storeIt }: ContractContext): void {
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

    storeIt('counts every type, whatever its name', async ({ store }) => {
      const types = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      await store.ingest({
        events: types.flatMap((type, i) => [
          makeEvent({ id: `p${i}a`, type, sessionId: 's-p', ts: at('10:00') + i }),
          makeEvent({ id: `p${i}b`, type, sessionId: 's-p', ts: at('10:01') + i }),
        ]),
        checkpoints: [],
      });
      const counts = (await store.getSession('s-p'))?.countsByType ?? {};
      expect(Object.entries(counts).sort()).toEqual(types.map((t) => [t, 2]).sort());
    });

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
}
