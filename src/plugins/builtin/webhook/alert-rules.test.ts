import { describe, expect, it } from 'vitest';

import { pluginEvent } from '../../../../test/plugins/builtin/context.js';
import { bypassEvents, reviewEvents } from '../../../../test/plugins/builtin/wfc-fixtures.js';
import type { PluginEvent } from '../../sdk.js';
import { AlertRules, type AlertRulesOptions } from './alert-rules.js';
import { RULE_NAMES } from './config.js';

const NOW = Date.parse('2026-02-20T12:00:00Z');
const at = (iso: string) => ({ timestamp: new Date(Date.parse(iso)).toISOString() });

function rules(overrides: Partial<AlertRulesOptions> = {}, now = { ms: NOW }) {
  return new AlertRules({
    rules: new Set(RULE_NAMES),
    dailyBudgetUsd: 10,
    failureRateThreshold: 0.2,
    failureRateWindow: { count: 10 },
    failureRateMinTasks: 5,
    maxEventAgeMs: 7 * 86_400_000,
    now: () => now.ms,
    ...overrides,
  });
}

const names = (alerts: { rule: string }[]) => alerts.map((a) => a.rule);
const task = (status: string, extra: Partial<PluginEvent> = {}) =>
  pluginEvent({
    kind: 'task',
    event_type: 'task_end',
    status,
    ...at('2026-02-20T11:00:00Z'),
    ...extra,
  });

describe('AlertRules', () => {
  it('fires review_blocked once for a blocked review, with its score and tier', () => {
    const r = rules();
    const [passed] = reviewEvents('TASK-001');
    const [blocked, ...findings] = reviewEvents('TASK-003');
    expect(r.observe(passed!)).toEqual([]);
    for (const f of findings) expect(r.observe(f)).toEqual([]);
    const alerts = r.observe(blocked!);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'review_blocked',
      severity: 'warning',
      occurred_at: blocked!.timestamp,
      summary: expect.stringContaining(
        'Review blocked for TASK-003 (consensus score 7.8, tier important',
      ),
      details: { task_id: 'TASK-003', consensus_score: 7.8, tier: 'important', passed: false },
      event: blocked,
    });
    // The same event again (a redelivery with a new seq) does not alert twice.
    expect(r.observe({ ...blocked!, seq: blocked!.seq + 10_000 })).toEqual([]);
  });

  it('fires bypass_activated for an activation, not a revocation', () => {
    const r = rules();
    const events = bypassEvents();
    const alerts = events.flatMap((e) => r.observe(e));
    const activations = events.filter((e) => e.event_type === 'bypass_activated');
    expect(events.some((e) => e.event_type === 'bypass_revoked')).toBe(true);
    expect(names(alerts)).toEqual(activations.map(() => 'bypass_activated'));
    expect(alerts[0]).toMatchObject({
      summary:
        'Emergency bypass activated for TASK-003 by alice@example.com: Hotfix for search outage; SQL parameterisation follows in TASK-005.',
      details: {
        bypass_id: 'BP-2026-0001',
        cs_at_bypass: 7.8,
        expires_at: '2026-02-20T16:55:00.000Z',
      },
    });
  });

  it('leaves events older than max_event_age alone (a first ingest of history)', () => {
    const r = rules({ maxEventAgeMs: 3_600_000 });
    const [blocked] = reviewEvents('TASK-003');
    expect(r.observe(blocked!)).toEqual([]);
  });

  it('fires the budget once per UTC day when the day reaches it, and again the next day', () => {
    const now = { ms: NOW };
    const r = rules({ rules: new Set(['daily_cost_over_budget']) }, now);
    const spend = (usd: number, iso = '2026-02-20T11:00:00Z') =>
      r.observe(
        pluginEvent({ kind: 'llm_call', event_type: 'token_usage', cost_usd: usd, ...at(iso) }),
      );
    expect(spend(6)).toEqual([]);
    // Yesterday's spending is not today's.
    expect(spend(50, '2026-02-19T23:59:00Z')).toEqual([]);
    const alerts = spend(4.5);
    expect(names(alerts)).toEqual(['daily_cost_over_budget']);
    expect(alerts[0]?.details).toMatchObject({
      day: '2026-02-20',
      cost_usd: 10.5,
      budget_usd: 10,
      costed_events: 2,
    });
    expect(alerts[0]?.summary).toBe(
      'Cost today (2026-02-20 UTC) is $10.50, over the daily budget of $10.00',
    );
    expect(spend(100)).toEqual([]);
    now.ms += 86_400_000;
    expect(spend(9, '2026-02-21T01:00:00Z')).toEqual([]);
    expect(names(spend(2, '2026-02-21T02:00:00Z'))).toEqual(['daily_cost_over_budget']);
  });

  it('prices tokens when no cost is reported, with the model from the task start', () => {
    const r = rules({
      rules: new Set(['daily_cost_over_budget']),
      dailyBudgetUsd: 1,
      prices: { 'house-model': { input: 100, output: 100 } },
    });
    const t = at('2026-02-20T11:00:00Z');
    r.observe(
      pluginEvent({
        event_type: 'task_start',
        task_id: 'T1',
        model: 'house-model',
        status: 'started',
        ...t,
      }),
    );
    const alerts = r.observe(
      pluginEvent({
        event_type: 'task_end',
        task_id: 'T1',
        tokens_input: 6_000,
        tokens_output: 5_000,
        ...t,
      }),
    );
    expect(r.todayCostUsd).toBeCloseTo(1.1, 6);
    expect(names(alerts)).toEqual(['daily_cost_over_budget']);
    r.observe(pluginEvent({ event_type: 'task_end', model: 'mystery-9', tokens_input: 10, ...t }));
    expect(r.state.unpriced_models).toEqual(['mystery-9']);
  });

  it('fires the failure rate once per crossing and re-arms when it is back under', () => {
    const r = rules({ rules: new Set(['failure_rate_over_threshold']) });
    const fired: string[][] = [];
    const feed = (status: string) => fired.push(names(r.observe(task(status))));
    // Under the minimum of 5 task ends nothing fires, even at 100%.
    for (let i = 0; i < 4; i += 1) feed('failure');
    expect(fired.flat()).toEqual([]);
    feed('failure');
    expect(fired.at(-1)).toEqual(['failure_rate_over_threshold']);
    feed('failure');
    expect(fired.at(-1)).toEqual([]);
    // 10 successes push the 6 failures out of the 10-end window: rate 0, re-armed.
    for (let i = 0; i < 10; i += 1) feed('success');
    expect(fired.flat()).toEqual(['failure_rate_over_threshold']);
    feed('failure');
    feed('timeout');
    // 2 of 10 is 20%: at the threshold, not over it.
    expect(fired.at(-1)).toEqual([]);
    feed('failure');
    expect(fired.at(-1)).toEqual(['failure_rate_over_threshold']);
    expect(r.observe(task('failure'))).toEqual([]);
    expect(r.state.failure_rate_armed).toBe(false);
  });

  it('counts a task that ends twice once, with its latest status', () => {
    const r = rules({ rules: new Set(['failure_rate_over_threshold']), failureRateMinTasks: 1 });
    expect(names(r.observe(task('failure', { task_id: 'T-7' })))).toEqual([
      'failure_rate_over_threshold',
    ]);
    expect(r.observe(task('success', { task_id: 'T-7' }))).toEqual([]);
    expect(r.state.failure_window).toEqual([
      expect.objectContaining({ key: 'T-7', failed: false }),
    ]);
  });

  it('counts seeded events once when the hub delivers them too, and keeps its state across a restart', () => {
    const spend = (usd: number) =>
      pluginEvent({
        kind: 'llm_call',
        event_type: 'token_usage',
        cost_usd: usd,
        ...at('2026-02-20T10:00:00Z'),
      });
    const stored = [spend(4), spend(4)];
    const r = rules({ rules: new Set(['daily_cost_over_budget']) });
    r.seed(stored.map(({ seq: _seq, ...e }) => e));
    expect(r.todayCostUsd).toBe(8);
    for (const e of stored) expect(r.observe(e)).toEqual([]);
    expect(r.todayCostUsd).toBe(8);
    const restarted = rules({ rules: new Set(['daily_cost_over_budget']), state: r.state });
    expect(restarted.todayCostUsd).toBe(8);
    // A redelivered event (seq not after the last counted) is not counted again.
    expect(restarted.observe(stored[1]!)).toEqual([]);
    expect(restarted.todayCostUsd).toBe(8);
    expect(names(restarted.observe(spend(2)))).toEqual(['daily_cost_over_budget']);
    const again = rules({ rules: new Set(['daily_cost_over_budget']), state: restarted.state });
    expect(again.observe(spend(1))).toEqual([]);
  });
});
