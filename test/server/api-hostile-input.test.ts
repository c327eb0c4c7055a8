/**
 * Input the query routes answer with a clean 400 or a correct 200, never a 500: bounds beyond
 * a Date's range, stored values named like Object.prototype members, windows too large to
 * spread into Math.min; and store failures, which are the hub's (500, 503), not the client's.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { VigilError } from '../../src/core/errors.js';
import type { VigilEvent } from '../../src/core/event.js';
import { type GateDecisionRow, qualityGatesBody } from '../../src/server/queries/quality-gates.js';
import { startTestHub, type TestHub } from './harness.js';
import { makeEvent } from './streams-helpers.js';

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

const get = (h: TestHub, url: string) =>
  h.app.inject({ url, headers: { host: 'localhost' } }).then((r) => ({
    status: r.statusCode,
    body: r.json<Record<string, any>>(),
  }));

describe('time bounds beyond what a Date holds', () => {
  it('are a 400 naming the parameter on every route that takes them', async () => {
    hub = await startTestHub({ noListen: true });
    for (const route of [
      '/api/summary',
      '/api/events',
      '/api/metrics/tasks',
      '/api/metrics/quality_gates',
      '/api/metrics/resolution',
      '/api/metrics/resources',
    ]) {
      for (const [param, value] of [
        ['since', '9999999999999999'],
        ['until', '9999999999999999'],
      ] as const) {
        const res = await get(hub, `${route}?${param}=${value}`);
        expect(res.status, `${route}?${param}=${value}`).toBe(400);
        expect(res.body['message']).toMatch(new RegExp(`^invalid querystring: ${param}`));
      }
    }
    // The widest bound a Date holds is still accepted.
    expect((await get(hub, '/api/summary?until=8640000000000000')).status).toBe(200);
  });
});

describe('stored values named like Object.prototype members', () => {
  const knowledge = (id: string, attrs: Record<string, unknown>): VigilEvent =>
    makeEvent({ id, kind: 'knowledge', type: 'drift_detected', attrs });

  it('do not break the knowledge drift score', async () => {
    hub = await startTestHub({
      noListen: true,
      events: [
        knowledge('drift-1', { reviewer_id: 'odd', recommendation: 'constructor' }),
        knowledge('drift-2', { reviewer_id: 'even', recommendation: 'needs_pruning' }),
      ],
    });
    const res = await get(hub, '/api/knowledge');
    expect(res.status).toBe(200);
    const drift = Object.fromEntries(
      (res.body['reviewers'] as { reviewer: string; drift: { score: number | null } }[]).map(
        (r) => [r.reviewer, r.drift.score],
      ),
    );
    expect(drift).toEqual({ even: 0.5, odd: null });
  });
});

describe('large windows', () => {
  it('summarise a rubric criterion scored more times than Math.min can take as arguments', () => {
    const rows: GateDecisionRow[] = Array.from({ length: 250_000 }, (_, i) => ({
      event_id: `g-${i}`,
      at: '2026-03-01T10:00:00.000Z',
      task_id: null,
      gate: 'review',
      decision: 'approved',
      consensus_score: null,
      quorum_satisfied: null,
      reviewers: [],
      rubric_scores: { clarity: i % 10 },
      reason: null,
      event_type: 'gate_evaluated',
    }));
    const body = qualityGatesBody(rows, { since: 0, until: 1 }, 1, 10);
    expect(body.rubric).toEqual([
      { criterion: 'clarity', average: 4.5, min: 0, max: 9, count: 250_000 },
    ]);
  });
});

describe('store failures', () => {
  it("are 500 when the hub's own store is at fault, 503 with Retry-After when it is busy", async () => {
    hub = await startTestHub({ noListen: true });
    const store = hub.hub.store;
    store.countEvents = () =>
      Promise.reject(new VigilError('VIGIL_ERR_STORE_CORRUPT', 'database disk image is malformed'));
    const corrupt = await get(hub, '/api/events/count');
    expect(corrupt.status).toBe(500);
    expect(corrupt.body['message']).toBe('database disk image is malformed');
    store.countEvents = () =>
      Promise.reject(new VigilError('VIGIL_ERR_STORE_LOCKED', 'the database is locked'));
    const locked = await hub.app.inject({
      url: '/api/events/count?kind=task',
      headers: { host: 'localhost' },
    });
    expect(locked.statusCode).toBe(503);
    expect(locked.headers['retry-after']).toBe('1');
  });
});
