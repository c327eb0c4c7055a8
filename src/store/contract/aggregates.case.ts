/** Store contract, aggregateByModel: per-model rollups against the core reference. */
import { describe, expect } from 'vitest';

import type { AggregateQuery, ModelAggregate } from '../types.js';
import {
  agg,
  at,
  buildScenario,
  byModel,
  chunks,
  HEALTHY,
  makeEvent,
  prng,
  referenceAggregates,
  shuffle,
  taskEnd,
  taskStart,
  type ContractContext,
} from './fixtures.js';

export function describeAggregates({ storeIt }: ContractContext): void {
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
}
