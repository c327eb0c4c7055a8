/**
 * /metrics kept live: commits show up in the next scrape, events committed during the
 * start-up read count once, a scrape reads no events, and label cardinality stays bounded
 * (RELIABILITY S9) with the overflow counted.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../src/core/event.js';
import { EventState } from '../../src/server/metrics/event-state.js';
import { negotiate } from '../../src/server/metrics/exposition.js';
import { metricsReady } from '../../src/server/metrics/index.js';
import {
  LABEL_VALUE_CAP,
  OverflowCounter,
  SERIES_CAP,
} from '../../src/server/metrics/label-cap.js';
import type { Store } from '../../src/store/types.js';
import { startTestHub, type TestHub } from './harness.js';

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

const HOUR = 3_600_000;

function event(
  id: string,
  fields: Partial<VigilEvent> & Pick<VigilEvent, 'type' | 'kind'>,
): VigilEvent {
  return {
    id,
    ts: Date.parse('2026-03-01T10:00:00Z'),
    ...EMPTY_EVENT_FIELDS,
    source: { adapter: 'test', file: null, line: null, offset: null },
    attrs: {},
    ...fields,
  };
}

/** Samples of the text format: `name{labels}` exactly as exposed → value. */
async function scrape(h: TestHub): Promise<Map<string, number>> {
  await metricsReady(h.app);
  const res = await h.app.inject({ url: '/metrics', headers: { host: 'localhost' } });
  expect(res.statusCode).toBe(200);
  const out = new Map<string, number>();
  for (const line of res.body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const familySize = (s: Map<string, number>, name: string) =>
  [...s.keys()].filter((k) => k === name || k.startsWith(`${name}{`)).length;

describe('live updates', () => {
  it('the next scrape reflects events committed through the hub and files ingested', async () => {
    hub = await startTestHub();
    const before = await scrape(hub);
    expect(before.get('vigil_bypass_active')).toBe(0);
    expect(before.get('vigil_review_mpr_applied_total')).toBe(0);
    expect(familySize(before, 'vigil_review_consensus_score')).toBe(0);

    const now = Date.now();
    await hub.hub.ingestEvents([
      event('live-review', {
        type: 'review_complete',
        kind: 'review',
        taskId: 'TASK-900',
        ts: now,
        attrs: { cs: 8.1, tier: 'important', mpr_applied: true },
      }),
      event('live-bypass', {
        type: 'bypass_activated',
        kind: 'bypass',
        taskId: 'TASK-900',
        ts: now,
        attrs: { expiresAtMs: now + 24 * HOUR, revoked: false },
      }),
      event('live-task-start', {
        type: 'task_start',
        kind: 'task',
        taskId: 't-1',
        ts: now - 60_000,
        model: 'gpt-5',
        status: 'started',
      }),
      event('live-task-end', {
        type: 'task_end',
        kind: 'task',
        taskId: 't-1',
        ts: now,
        status: 'failure',
        tokensIn: 1_000_000,
        tokensOut: 100_000,
      }),
      event('live-usage', {
        type: 'token_usage',
        kind: 'llm_call',
        ts: now,
        model: 'gpt-5',
        tokensIn: 400,
        tokensOut: 100,
        attrs: { operation: 'review' },
      }),
    ]);
    const after = await scrape(hub);
    expect(after.get('vigil_review_consensus_score{task_id="TASK-900",tier="important"}')).toBe(
      8.1,
    );
    expect(after.get('vigil_review_total{tier="important"}')).toBe(1);
    expect(after.get('vigil_review_mpr_applied_total')).toBe(1);
    expect(after.get('vigil_bypass_active')).toBe(1);
    expect(after.get('vigil_tasks{status="failure"}')).toBe(1);
    expect(after.get('vigil_tasks_last_24h{status="failure"}')).toBe(1);
    expect(after.get('vigil_tokens_total{model="gpt-5",direction="input"}')).toBe(1_000_400);
    expect(after.get('vigil_tokens_used_total{operation="review",complexity="unknown"}')).toBe(500);
    expect(after.get('vigil_tokens_used_total{operation="other",complexity="unknown"}')).toBe(
      1_100_000,
    );
    // gpt-5: 1.25 USD per million input tokens, 10 per million output.
    const usd = (1_000_400 * 1.25 + 100_100 * 10) / 1e6;
    expect(after.get('vigil_cost_usd_total{model="gpt-5"}')).toBeCloseTo(usd, 9);
    expect(after.get('vigil_cost_last_24h_usd{model="gpt-5"}')).toBeCloseTo(usd, 9);
    expect(after.get('vigil_events_ingested_total')).toBe(5);

    // The revocation arrives in a file, through the real ingest pipeline.
    const activation = 'live-bypass';
    const file = hub.write(
      'wfc/telemetry/events.jsonl',
      `${JSON.stringify({ event: 'drift_detected', timestamp: new Date(now).toISOString(), reviewer_id: 'security', recommendation: 'needs_review' })}\n`,
    );
    await hub.ingest([file]);
    await hub.hub.ingestEvents([
      event('live-revoke', {
        type: 'bypass_revoked',
        kind: 'bypass',
        ts: now,
        attrs: { activationId: activation },
      }),
    ]);
    const last = await scrape(hub);
    expect(last.get('vigil_knowledge_drift_score{reviewer="security"}')).toBe(1);
    expect(last.get('vigil_bypass_active')).toBe(0);
    expect(last.get('vigil_events_ingested_total')).toBe(7);
  });

  it('counts events committed during the start-up read exactly once', async () => {
    // Enough findings for several start-up pages, stored before the app starts.
    const stored = Array.from({ length: 5_000 }, (_, i) =>
      event(`boot-${i}`, {
        type: 'review_finding',
        kind: 'review',
        ts: Date.parse('2026-03-01T00:00:00Z') + i * 1000,
        attrs: { reviewers: ['security'], severity_tier: 'moderate' },
      }),
    );
    hub = await startTestHub({ events: stored, noListen: true });
    // While the app reads them, more arrive: new ones, and copies of stored ones.
    const late = Array.from({ length: 300 }, (_, i) =>
      event(`late-${i}`, {
        type: 'review_finding',
        kind: 'review',
        ts: Date.parse('2026-03-01T00:00:00Z') + i * 7_000,
        attrs: { reviewers: ['security'], severity_tier: 'moderate' },
      }),
    );
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i += 30) {
      writes.push(hub.hub.ingestEvents([...late.slice(i, i + 30), ...stored.slice(i, i + 30)]));
    }
    await Promise.all(writes);
    const s = await scrape(hub);
    expect(s.get('vigil_findings_total{reviewer="security",severity_tier="moderate"}')).toBe(5_300);
  });

  it('reads no events when scraped, and recomputes rollups only after commits', async () => {
    hub = await startTestHub({
      events: [
        event('e1', {
          type: 'token_usage',
          kind: 'llm_call',
          model: 'o3',
          tokensIn: 10,
          tokensOut: 1,
        }),
      ],
      noListen: true,
    });
    await scrape(hub);
    const calls: Record<string, number> = {};
    const store = hub.hub.store as unknown as Record<string, unknown>;
    for (const name of [
      'queryEvents',
      'iterateEvents',
      'countEvents',
      'countByType',
      'eventsAfter',
      'aggregateByModel',
    ] satisfies (keyof Store)[]) {
      const original = store[name] as (...args: unknown[]) => unknown;
      store[name] = (...args: unknown[]) => {
        // Other parts of the hub (streams) read the store on their own schedule: count ours.
        if (new Error().stack?.includes('/server/metrics/')) calls[name] = (calls[name] ?? 0) + 1;
        return original.apply(hub!.hub.store, args);
      };
    }
    for (let i = 0; i < 5; i++) await scrape(hub);
    expect(calls).toEqual({});
    await hub.hub.ingestEvents([
      event('e2', {
        type: 'token_usage',
        kind: 'llm_call',
        model: 'o3',
        tokensIn: 5,
        tokensOut: 1,
      }),
    ]);
    const s = await scrape(hub);
    expect(s.get('vigil_tokens_total{model="o3",direction="input"}')).toBe(15);
    // One recomputation: all time and the recent window.
    expect(calls).toEqual({ aggregateByModel: 2 });
  });
});

describe('label cardinality (RELIABILITY S9)', () => {
  it('10,000 distinct session, task, reviewer, model and operation ids stay within the caps', async () => {
    hub = await startTestHub({ noListen: true });
    const N = 10_000;
    const ts = Date.parse('2026-03-01T00:00:00Z');
    const events: VigilEvent[] = [];
    for (let i = 0; i < N; i++) {
      events.push(
        event(`u-${i}`, {
          type: 'token_usage',
          kind: 'llm_call',
          ts: ts + i,
          sessionId: `sess-${i}`,
          model: `model-${i}`,
          tokensIn: i + 1,
          tokensOut: 0,
          // 100 operations × 100 complexities: every value within its cap, 10,000 pairs.
          attrs: { operation: `op-${i % 100}`, complexity: `cx-${Math.floor(i / 100)}` },
        }),
        event(`f-${i}`, {
          type: 'review_finding',
          kind: 'review',
          ts: ts + i,
          sessionId: `sess-${i}`,
          attrs: { reviewers: [`reviewer-${i}`], severity_tier: 'moderate' },
        }),
        event(`r-${i}`, {
          type: 'review_complete',
          kind: 'review',
          ts: ts + i,
          taskId: `TASK-${i}`,
          sessionId: `sess-${i}`,
          attrs: { cs: 5, tier: 'moderate' },
        }),
        event(`k-${i}`, {
          type: 'knowledge_entry',
          kind: 'knowledge',
          ts: ts + i,
          attrs: { reviewer: `reviewer-${i}`, section: 'patterns_found' },
        }),
      );
    }
    for (let i = 0; i < events.length; i += 4_000) {
      await hub.hub.ingestEvents(events.slice(i, i + 4_000));
    }
    const s = await scrape(hub);
    const cap = LABEL_VALUE_CAP;
    expect([...s.keys()].some((k) => k.includes('sess-'))).toBe(false);
    // docs/metrics.md: fewer than 5,000 series whatever the input.
    expect(s.size).toBeLessThan(5_000);

    // Findings: the first 100 reviewers, the rest under "other".
    expect(familySize(s, 'vigil_findings_total')).toBe(cap + 1);
    expect(s.get('vigil_findings_total{reviewer="reviewer-0",severity_tier="moderate"}')).toBe(1);
    expect(s.get('vigil_findings_total{reviewer="other",severity_tier="moderate"}')).toBe(N - cap);
    expect(s.get('vigil_label_overflow_total{metric="vigil_findings_total"}')).toBe(N - cap);
    // The consensus score of the 100 most recently reviewed tasks only.
    expect(familySize(s, 'vigil_review_consensus_score')).toBe(cap);
    expect(s.get(`vigil_review_consensus_score{task_id="TASK-${N - 1}",tier="moderate"}`)).toBe(5);
    expect(s.has('vigil_review_consensus_score{task_id="TASK-0",tier="moderate"}')).toBe(false);
    expect(s.get('vigil_label_overflow_total{metric="vigil_review_consensus_score"}')).toBe(
      N - cap,
    );
    // Models: the 100 with most usage keep their name; the rest add up under "other".
    expect(familySize(s, 'vigil_tokens_total')).toBe((cap + 1) * 4);
    expect(s.get(`vigil_tokens_total{model="model-${N - 1}",direction="input"}`)).toBe(N);
    expect(s.has('vigil_tokens_total{model="model-0",direction="input"}')).toBe(false);
    const folded = ((N - cap) * (N - cap + 1)) / 2;
    expect(s.get('vigil_tokens_total{model="other",direction="input"}')).toBe(folded);
    expect(s.get('vigil_label_overflow_total{metric="vigil_tokens_total"}')).toBe(N - cap);
    expect(familySize(s, 'vigil_cost_unpriced_tokens_total')).toBe(cap + 1);
    // Pairs of admitted values are capped too: past 1,000 series, they go to other/other.
    expect(familySize(s, 'vigil_tokens_used_total')).toBe(SERIES_CAP + 1);
    expect(s.get('vigil_tokens_used_total{operation="op-0",complexity="cx-0"}')).toBe(1);
    const pastCap = Array.from({ length: N - SERIES_CAP }, (_, i) => SERIES_CAP + i + 1);
    expect(s.get('vigil_tokens_used_total{operation="other",complexity="other"}')).toBe(
      pastCap.reduce((a, b) => a + b, 0),
    );
    expect(s.get('vigil_label_overflow_total{metric="vigil_tokens_used_total"}')).toBe(
      N - SERIES_CAP,
    );
    // Knowledge reviewers like findings.
    expect(s.get('vigil_label_overflow_total{metric="vigil_knowledge_entries_total"}')).toBe(
      N - cap,
    );
    expect(familySize(s, 'vigil_knowledge_entries_total')).toBe(cap + 1);
    expect(familySize(s, 'vigil_knowledge_drift_score')).toBe(cap + 1);
  });
});

describe('state rules', () => {
  it('a bypass stops being active when it expires or is revoked', () => {
    const state = new EventState((s) => `vigil_${s}`, new OverflowCounter());
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    state.applyAll([
      event('b1', { type: 'bypass_activated', kind: 'bypass', attrs: { expiresAtMs: t0 + HOUR } }),
      event('b2', {
        type: 'bypass_activated',
        kind: 'bypass',
        attrs: { expiresAtMs: t0 + 2 * HOUR },
      }),
      event('b3', {
        type: 'bypass_activated',
        kind: 'bypass',
        attrs: { expiresAtMs: t0 + 3 * HOUR, revoked: true },
      }),
      // A revocation read before its activation still applies.
      event('b4-revoked', {
        type: 'bypass_revoked',
        kind: 'bypass',
        attrs: { activationId: 'b4' },
      }),
      event('b4', {
        type: 'bypass_activated',
        kind: 'bypass',
        attrs: { expiresAtMs: t0 + 3 * HOUR },
      }),
      // Same type, other kind: not WFC's bypass record.
      event('b5', { type: 'bypass_activated', kind: 'log', attrs: { expiresAtMs: t0 + 3 * HOUR } }),
    ]);
    expect(state.activeBypasses(t0)).toBe(2);
    expect(state.activeBypasses(t0 + HOUR)).toBe(1);
    state.apply(
      event('b2-revoked', {
        type: 'bypass_revoked',
        kind: 'bypass',
        attrs: { activationId: 'b2' },
      }),
    );
    expect(state.activeBypasses(t0 + HOUR)).toBe(0);
  });

  it('the latest drift event of a reviewer wins, whatever order they arrive in', () => {
    const state = new EventState((s) => `vigil_${s}`, new OverflowCounter());
    const drift = (id: string, ts: number, attrs: Record<string, unknown>) =>
      event(id, {
        type: 'drift_detected',
        kind: 'knowledge',
        ts,
        attrs: { reviewer_id: 'security', ...attrs },
      });
    state.applyAll([
      drift('d2', 2, { recommendation: 'healthy' }),
      drift('d1', 1, { drift_score: 1 }),
    ]);
    expect([...state.drift.samples((c) => c.score)]).toEqual([
      { labels: { reviewer: 'security' }, value: 0 },
    ]);
    state.apply(drift('d3', 3, { recommendation: 'needs_pruning' }));
    expect([...state.drift.samples((c) => c.score)][0]?.value).toBe(0.5);
  });

  it('the latest review of a task sets its score, even when an older one arrives later', () => {
    const state = new EventState((s) => `vigil_${s}`, new OverflowCounter());
    const review = (id: string, ts: number, cs: number) =>
      event(id, { type: 'review_complete', kind: 'review', taskId: 'TASK-1', ts, attrs: { cs } });
    state.applyAll([review('new', 2_000, 3.5), review('old', 1_000, 9.5)]);
    expect([...state.consensusSamples()]).toEqual([
      { labels: { task_id: 'TASK-1', tier: 'informational' }, value: 3.5 },
    ]);
    expect([...state.reviews.samples((c) => c.n)]).toEqual([
      { labels: { tier: 'informational' }, value: 1 },
      { labels: { tier: 'critical' }, value: 1 },
    ]);
  });

  it('negotiates the exposition format like Prometheus clients do', () => {
    expect(negotiate(undefined)).toBe('text');
    expect(negotiate('application/openmetrics-text; version=1.0.0')).toBe('openmetrics');
    expect(
      negotiate('application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5'),
    ).toBe('openmetrics');
    expect(negotiate('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5')).toBe(
      'text',
    );
    expect(negotiate('application/openmetrics-text;version=2.0.0')).toBe('text');
    expect(negotiate('application/openmetrics-text;q=0')).toBe('text');
    expect(negotiate('application/json')).toBe('text');
  });
});
