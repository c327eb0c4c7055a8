/** Store contract, queries: queryEvents, countEvents and their filters. */
import { describe, expect } from 'vitest';

import type { EventFilter, EventQuery, Store } from '../types.js';
import { at, makeEvent, type ContractContext } from './fixtures.js';

export function describeQueries({ storeIt, idsOf, collect }: ContractContext): void {
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
        message: 'Gate FAILED: coverage 80%_min',
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
        attrs: { file: 'src/Gate.ts', note: '100% covered' },
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
      ['free text in the message, any case', { text: 'gate failed' }, ['q7']],
      ['free text in attrs and the type', { text: 'gate' }, ['q7', 'q11']],
      ['free text % and _ are literal', { text: '%_min' }, ['q7']],
      ['free text % alone', { text: '0%' }, ['q7', 'q11']],
      ['free text in the task id and model', { text: 'm-b' }, ['q3', 'q6', 'q8']],
      ['free text with other filters', { text: 'gate', kinds: ['log'] }, ['q11']],
      ['free text, no match', { text: 'zzz' }, []],
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
}
