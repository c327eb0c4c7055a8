/**
 * PluginContext's queries answer what the HTTP routes answer (they share the query code), over
 * the WFC fixtures ingested through the real pipeline; bad arguments are refused by name.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createContextQueries } from '../../src/plugins/context-queries.js';
import type { QueryFn } from '../../src/plugins/context.js';
import { getJson, startTestHub, type TestHub } from '../server/harness.js';

const WFC = resolve(import.meta.dirname, '../fixtures/wfc');
const text = (rel: string) => readFileSync(join(WFC, rel), 'utf8');
const DAYS = 36_500;

let hub: TestHub;
let query: QueryFn;
beforeAll(async () => {
  hub = await startTestHub({
    files: {
      'wfc/reviews/REVIEW-TASK-001.json': text('reviews/REVIEW-TASK-001.json'),
      'wfc/reviews/REVIEW-TASK-002.json': text('reviews/REVIEW-TASK-002.json'),
      'wfc/telemetry/events.jsonl': text('telemetry/events.jsonl'),
      'wfc/telemetry/session-20260216-143012.jsonl': text(
        'telemetry/session-20260216-143012.jsonl',
      ),
      'wfc/BYPASS-AUDIT.json': text('BYPASS-AUDIT.json'),
      'wfc/reviewers/security/KNOWLEDGE.md': text('reviewers/security/KNOWLEDGE.md'),
      'wfc/reviewers/correctness/KNOWLEDGE.md': text('reviewers/correctness/KNOWLEDGE.md'),
    },
  });
  query = createContextQueries(hub.hub);
});
afterAll(async () => {
  await hub.close();
});

describe('PluginContext queries', () => {
  it('queryEvents: latest first without since, oldest first from since; filters as /api/events', async () => {
    const all = await getJson<{ events: { event_id: string; kind: string }[] }>(
      hub,
      '/api/events?limit=1000',
    );
    expect(all.events.length).toBeGreaterThan(5);
    const latest = (await query('queryEvents', [{ limit: 3 }])) as { event_id: string }[];
    expect(latest.map((e) => e.event_id)).toEqual(
      all.events
        .slice(-3)
        .reverse()
        .map((e) => e.event_id),
    );
    const first = (await query('queryEvents', [{ since: 0, limit: 2 }])) as {
      event_id: string;
      seq?: number;
    }[];
    expect(first.map((e) => e.event_id)).toEqual(all.events.slice(0, 2).map((e) => e.event_id));
    expect(first[0]?.seq).toBeUndefined();
    const reviews = (await query('queryEvents', [
      { kind: 'review', since: '1970-01-01', limit: 1000 },
    ])) as { kind: string }[];
    expect(reviews.length).toBe(all.events.filter((e) => e.kind === 'review').length);
  });

  it('queryTelemetry, queryReviews, queryDrift and queryBypasses answer as their routes', async () => {
    const summary = (await query('queryTelemetry', [{ days: DAYS }])) as { summary: unknown };
    const route = await getJson<{ summary: unknown }>(hub, `/api/summary?since=${DAYS}d`);
    expect(summary.summary).toEqual(route.summary);

    const reviews = await query('queryReviews', [{ days: DAYS }]);
    const reviewRoute = await getJson<{ reviews: unknown[] }>(hub, '/api/reviews?limit=1000');
    expect(reviews).toEqual(reviewRoute.reviews);
    expect(reviewRoute.reviews.length).toBeGreaterThan(1);

    const drift = (await query('queryDrift', [null])) as { reviewer: string }[];
    const knowledge = await getJson<{ reviewers: { reviewer: string }[] }>(hub, '/api/knowledge');
    expect(drift.map((r) => r.reviewer)).toEqual(knowledge.reviewers.map((r) => r.reviewer));
    expect(((await query('queryDrift', ['security'])) as unknown[]).length).toBe(1);

    const bypasses = (await query('queryBypasses', [{ activeOnly: false }])) as {
      id: string;
      status: string;
    }[];
    const bypassRoute = await getJson<{ bypasses: { id: string; status: string }[] }>(
      hub,
      '/api/bypasses',
    );
    expect(bypasses.map((b) => [b.id, b.status])).toEqual(
      bypassRoute.bypasses.map((b) => [b.id, b.status]),
    );
    const active = (await query('queryBypasses', [{}])) as { status: string }[];
    expect(active.every((b) => b.status === 'active')).toBe(true);
    expect(active.length).toBe(bypassRoute.bypasses.filter((b) => b.status === 'active').length);
  });

  it('refuses bad arguments, naming them', async () => {
    await expect(query('queryEvents', [{ kind: 'nonsense' }])).rejects.toThrow(
      /^queryEvents: kind: nonsense is not a kind/,
    );
    await expect(query('queryEvents', [{ limit: 20_000 }])).rejects.toThrow(
      /^queryEvents: limit: /,
    );
    await expect(query('queryEvents', [{ colour: 'red' }])).rejects.toThrow(
      /^queryEvents: \(arguments\): /,
    );
    await expect(query('queryEvents', [{ since: 'whenever' }])).rejects.toThrow(
      /^queryEvents: since: expected/,
    );
    await expect(query('queryReviews', [{ days: -1 }])).rejects.toThrow(/^queryReviews: days: /);
    await expect(query('nope' as never, [])).rejects.toThrow('no context method nope');
  });
});
