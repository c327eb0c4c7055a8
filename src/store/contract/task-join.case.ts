/** Store contract, the task join: task events folded into task rows. */
import { describe, expect } from 'vitest';

import type { VigilEvent } from '../../core/event.js';
import { emptyTask, type TaskState } from '../../core/tasks.js';
import {
  agg,
  at,
  HEALTHY,
  makeEvent,
  taskEnd,
  taskStart,
  type ContractContext,
} from './fixtures.js';

export function describeTaskJoin({ storeIt }: ContractContext): void {
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
          expect(await store.aggregateByModel({ since: at('14:00'), until: at('15:00') })).toEqual(
            expectedAgg,
          );
          expect(await store.aggregateByModel({ since: at('14:17'), until: at('14:42') })).toEqual(
            expectedAgg,
          );
          expect(await store.aggregateByModel({ since: at('13:00'), until: at('16:00') })).toEqual(
            expectedAgg,
          );
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
}
