import type { PriceTable } from '../../../core/prices.js';
import type { PluginEvent, PluginQueriedEvent } from '../../sdk.js';
import type { RuleName } from './config.js';
import { createCostMeter } from './cost-meter.js';
import { FailureWindow, isTaskEnd, type TaskEnd } from './failure-window.js';

/** The JSON body POSTed for each alert (docs/webhooks.md). */
export interface AlertPayload {
  rule: RuleName;
  summary: string;
  severity: 'warning' | 'critical';
  /** When the triggering event happened (ISO-8601, UTC). */
  occurred_at: string;
  /** The triggering event in export form. */
  event: PluginEvent;
  details: Record<string, unknown>;
}

/**
 * What survives a restart (the hub delivers each event once, across restarts, so the rules
 * keep their own totals): today's cost, the failure window, and what was already alerted.
 */
export interface AlertRulesState {
  /** The last `seq` counted: an event redelivered after a crash is not counted twice. */
  last_seq: number;
  /** The UTC day (`YYYY-MM-DD`) `day_cost_usd` is for. */
  day: string | null;
  day_cost_usd: number;
  day_costed_events: number;
  unpriced_models: string[];
  failure_window: TaskEnd[];
  /** The UTC day the budget alert was last sent for. */
  budget_alerted_day: string | null;
  /** False after a failure-rate alert until the rate is back at or under the threshold. */
  failure_rate_armed: boolean;
}

/** The state of rules that have seen nothing. */
export const EMPTY_RULES_STATE: AlertRulesState = {
  last_seq: -1,
  day: null,
  day_cost_usd: 0,
  day_costed_events: 0,
  unpriced_models: [],
  failure_window: [],
  budget_alerted_day: null,
  failure_rate_armed: true,
};

export interface AlertRulesOptions {
  rules: ReadonlySet<RuleName>;
  dailyBudgetUsd?: number;
  failureRateThreshold: number;
  failureRateWindow: { count: number } | { ms: number };
  failureRateMinTasks: number;
  /** Events older than this (by timestamp) fire nothing: a first ingest of history stays quiet. */
  maxEventAgeMs: number;
  prices?: PriceTable;
  state?: AlertRulesState;
  now?: () => number;
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const pct = (n: number) => `${Math.round(n * 1000) / 10}%`;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const pick = (a: Record<string, unknown>, keys: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(keys)
      .map(([to, from]) => [to, a[from]] as const)
      .filter(([, v]) => v !== undefined && v !== null),
  );

/** A review that did not pass: status `blocked`/`failure`, or `passed: false`. */
function isBlockedReview(e: PluginEvent): boolean {
  if (e.kind !== 'review' || e.event_type === 'review_finding') return false;
  return e.status === 'blocked' || e.status === 'failure' || e.attrs['passed'] === false;
}

/**
 * The webhook's rules over the event stream. Each fires once per occurrence: a blocked review
 * or an activated bypass once per event; the budget once per UTC day when the day's cost
 * reaches `dailyBudgetUsd`; the failure rate once when it goes over the threshold, re-armed
 * when it is back at or under it. Events are counted once by `seq`; `seed` counts stored events
 * (today's, on a first activation) without alerting, and the same events delivered later are
 * not counted again.
 *
 * @example
 * const rules = new AlertRules({ rules: new Set(['review_blocked']), failureRateThreshold: 0.2,
 *   failureRateWindow: { count: 20 }, failureRateMinTasks: 5, maxEventAgeMs: 86_400_000 });
 * rules.observe(blockedReviewEvent) // [{ rule: 'review_blocked', severity: 'warning', ... }]
 */
export class AlertRules {
  readonly #o: AlertRulesOptions;
  readonly #now: () => number;
  readonly #meter;
  readonly #window: FailureWindow;
  #alerts = { budget_alerted_day: null as string | null, failure_rate_armed: true };
  #lastSeq: number;
  readonly #alerted = new Set<string>();
  /** Ids of seeded events of `#day.day`: counted already when the hub delivers them. */
  #seeded = new Set<string>();
  #day = { day: '', usd: 0, events: 0, unpriced: new Set<string>() };

  constructor(options: AlertRulesOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#meter = createCostMeter(options.prices);
    const saved = options.state ?? EMPTY_RULES_STATE;
    this.#window = new FailureWindow(options.failureRateWindow, saved.failure_window);
    this.#lastSeq = saved.last_seq;
    this.#alerts = {
      budget_alerted_day: saved.budget_alerted_day,
      failure_rate_armed: saved.failure_rate_armed,
    };
    this.#day = {
      day: saved.day ?? '',
      usd: saved.day_cost_usd,
      events: saved.day_costed_events,
      unpriced: new Set(saved.unpriced_models),
    };
  }

  /** The state to save (and to pass back as `state` after a restart). */
  get state(): AlertRulesState {
    return {
      last_seq: this.#lastSeq,
      day: this.#day.day || null,
      day_cost_usd: this.#day.usd,
      day_costed_events: this.#day.events,
      unpriced_models: [...this.#day.unpriced].sort(),
      failure_window: [...this.#window.ends],
      ...this.#alerts,
    };
  }

  /** Today's cost so far (UTC day by event timestamp), for logs and tests. */
  get todayCostUsd(): number {
    return this.#day.day === utcDay(this.#now()) ? this.#day.usd : 0;
  }

  /** Counts stored events (cost, failure window), oldest first, without alerting. */
  seed(events: readonly PluginQueriedEvent[]): void {
    for (const e of events) {
      if (this.#seeded.has(e.event_id)) continue;
      this.#count(e);
      this.#seeded.add(e.event_id);
    }
  }

  /** Feeds one event; returns the alerts it fires. */
  observe(event: PluginEvent): AlertPayload[] {
    const costUsd = this.#accept(event);
    const ts = Date.parse(event.timestamp);
    if (!(this.#now() - ts <= this.#o.maxEventAgeMs)) return [];
    const out: AlertPayload[] = [];
    const on = (rule: RuleName) => this.#o.rules.has(rule);
    if (on('review_blocked') && isBlockedReview(event) && this.#once(event)) {
      out.push(this.#reviewBlocked(event));
    }
    if (on('bypass_activated') && event.event_type === 'bypass_activated' && this.#once(event)) {
      out.push(this.#bypass(event));
    }
    if (on('daily_cost_over_budget') && costUsd > 0) out.push(...this.#budget(event));
    if (on('failure_rate_over_threshold') && isTaskEnd(event))
      out.push(...this.#failureRate(event));
    return out;
  }

  /** True the first time an event id is alerted on (a bounded memory of recent ids). */
  #once(e: PluginEvent): boolean {
    if (this.#alerted.has(e.event_id)) return false;
    this.#alerted.add(e.event_id);
    if (this.#alerted.size > 10_000) {
      const oldest = this.#alerted.values().next().value;
      if (oldest !== undefined) this.#alerted.delete(oldest);
    }
    return true;
  }

  /** Counts a delivered event's cost and task end once; returns the cost it added. */
  #accept(e: PluginEvent): number {
    if (e.seq <= this.#lastSeq) return 0;
    this.#lastSeq = e.seq;
    if (this.#seeded.delete(e.event_id)) return 0;
    return this.#count(e);
  }

  #count(e: PluginQueriedEvent): number {
    const ts = Date.parse(e.timestamp);
    const cost = this.#meter.costOf(e);
    const today = utcDay(this.#now());
    if (this.#day.day !== today) {
      this.#day = { day: today, usd: 0, events: 0, unpriced: new Set() };
      this.#seeded = new Set();
    }
    if (Number.isFinite(ts) && utcDay(ts) === today) {
      this.#day.usd += cost.usd;
      if (cost.usd > 0) this.#day.events += 1;
      if (cost.unpricedModel !== null) this.#day.unpriced.add(cost.unpricedModel);
    }
    if (isTaskEnd(e) && this.#now() - ts <= this.#o.maxEventAgeMs) this.#window.add(e);
    return cost.usd;
  }

  #alert(
    rule: RuleName,
    event: PluginEvent,
    severity: AlertPayload['severity'],
    summary: string,
    details: Record<string, unknown>,
  ): AlertPayload {
    return { rule, summary, severity, occurred_at: event.timestamp, event, details };
  }

  #reviewBlocked(e: PluginEvent): AlertPayload {
    const details = pick(e.attrs, {
      consensus_score: 'cs',
      tier: 'tier',
      passed: 'passed',
      findings_count: 'findings_count',
      mpr_applied: 'mpr_applied',
      reviewers: 'reviewers',
    });
    const facts = [
      details['consensus_score'] === undefined
        ? null
        : `consensus score ${String(details['consensus_score'])}`,
      details['tier'] === undefined ? null : `tier ${String(details['tier'])}`,
      details['findings_count'] === undefined
        ? null
        : `${String(details['findings_count'])} findings`,
    ].filter((x) => x !== null);
    const what = `Review blocked for ${e.task_id ?? 'a task'}`;
    return this.#alert(
      'review_blocked',
      e,
      'warning',
      facts.length ? `${what} (${facts.join(', ')})` : what,
      {
        task_id: e.task_id,
        ...details,
      },
    );
  }

  #bypass(e: PluginEvent): AlertPayload {
    const a = e.attrs;
    const expires =
      typeof a['expiresAtMs'] === 'number' ? new Date(a['expiresAtMs']).toISOString() : null;
    const by = typeof a['by'] === 'string' ? ` by ${a['by']}` : '';
    const reason = e.error_message ?? (typeof a['reason'] === 'string' ? a['reason'] : null);
    return this.#alert(
      'bypass_activated',
      e,
      'warning',
      `Emergency bypass activated for ${e.task_id ?? 'a task'}${by}${reason ? `: ${reason}` : ''}`,
      {
        task_id: e.task_id,
        ...pick(a, {
          bypass_id: 'bypassId',
          reason: 'reason',
          by: 'by',
          tier: 'tier',
          cs_at_bypass: 'csAtBypass',
        }),
        ...(expires ? { expires_at: expires } : {}),
      },
    );
  }

  #budget(e: PluginEvent): AlertPayload[] {
    const budget = this.#o.dailyBudgetUsd;
    const day = this.#day;
    if (budget === undefined || day.usd < budget || this.#alerts.budget_alerted_day === day.day) {
      return [];
    }
    this.#alerts.budget_alerted_day = day.day;
    return [
      this.#alert(
        'daily_cost_over_budget',
        e,
        'warning',
        `Cost today (${day.day} UTC) is ${usd(day.usd)}, over the daily budget of ${usd(budget)}`,
        {
          day: day.day,
          cost_usd: Math.round(day.usd * 1e6) / 1e6,
          budget_usd: budget,
          costed_events: day.events,
          unpriced_models: [...day.unpriced].sort(),
        },
      ),
    ];
  }

  #failureRate(e: PluginEvent): AlertPayload[] {
    const { ended, failed, rate } = this.#window.rate(this.#now());
    const threshold = this.#o.failureRateThreshold;
    if (rate === null || rate <= threshold) {
      this.#alerts.failure_rate_armed = true;
      return [];
    }
    if (ended < this.#o.failureRateMinTasks || !this.#alerts.failure_rate_armed) return [];
    this.#alerts.failure_rate_armed = false;
    return [
      this.#alert(
        'failure_rate_over_threshold',
        e,
        'critical',
        `Task failure rate is ${pct(rate)} over ${this.#window.describe()} (${failed} of ${ended}), above the threshold of ${pct(threshold)}`,
        { failure_rate: rate, failed, ended, threshold, window: this.#window.describe() },
      ),
    ];
  }
}
