import type { EventKind, VigilEvent } from '../../core/event.js';
import { attrNumber, attrString } from '../queries/attrs.js';
import { recommendationScore } from '../queries/knowledge.js';
import { labelValue, OverflowCounter, SeriesTable, type Sample } from './label-cap.js';

/** Tasks whose latest review score is exposed: the most recently reviewed ones. */
export const REVIEW_SCORE_SERIES = 100;

/**
 * Event types the seed-000 catalogue is built from, with the kind each must have (a generic
 * source that names a type alike but maps it to another kind is not a review). All of them
 * are rare kinds, which the store indexes: start-up reads them with one query.
 */
export const CATALOGUE_EVENT_TYPES = {
  review_complete: 'review',
  review_finding: 'review',
  knowledge_entry: 'knowledge',
  knowledge_updated: 'knowledge',
  drift_detected: 'knowledge',
  bypass_activated: 'bypass',
  bypass_revoked: 'bypass',
} as const satisfies Record<string, EventKind>;

/**
 * Event types whose token usage is broken down by operation and complexity (token-usage
 * lines and WVO operations name an `operation`, WFC task metrics a `complexity`). Usage of
 * every other event is counted under operation `other` from the store's rollups.
 */
export const USAGE_EVENT_TYPES = {
  token_usage: 'llm_call',
  telemetry_operation: 'command',
  task_metrics: 'task',
} as const satisfies Record<string, EventKind>;

/** WFC decision tiers by consensus score: < 4, < 7, < 9, else critical. */
export function tierOf(cs: number): string {
  if (cs < 4) return 'informational';
  if (cs < 7) return 'moderate';
  if (cs < 9) return 'important';
  return 'critical';
}

type Attrs = Readonly<Record<string, unknown>>;

function hasKind(table: Readonly<Record<string, EventKind>>, e: VigilEvent): boolean {
  return Object.hasOwn(table, e.type) && table[e.type] === e.kind;
}

interface LatestReview {
  ts: number;
  cs: number;
  tier: string;
}

/**
 * The seed-000 catalogue as state folded from events, one event at a time, so a scrape only
 * reads it: reviews by tier, MPR, findings, knowledge, drift, bypasses, usage by operation.
 * Fed once from the store at start and then from each committed batch on the live bus.
 */
export class EventState {
  readonly reviews: SeriesTable<{ n: number }>;
  mprApplied = 0;
  readonly findings: SeriesTable<{ n: number }>;
  /** Entries seen in KNOWLEDGE.md files, and entries reported added by `knowledge_updated`. */
  readonly knowledge: SeriesTable<{ entries: number; added: number }>;
  /** Latest drift score per reviewer; reviewers with knowledge and no drift event score 0. */
  readonly drift: SeriesTable<{ ts: number; score: number }>;
  readonly usage: SeriesTable<{ n: number }>;
  /** Input + output tokens of the events in `usage` (the rest of the usage is `other`). */
  usageTokens = 0;
  private readonly latestReviews = new Map<string, LatestReview>();
  /** Unrevoked bypasses by activation id, with their expiry (epoch ms). */
  private readonly bypasses = new Map<string, number>();
  /** Revocations whose activation has not been seen (yet). */
  private readonly revocations = new Set<string>();

  constructor(
    private readonly name: (suffix: string) => string,
    readonly overflow: OverflowCounter,
    private readonly reviewSeries = REVIEW_SCORE_SERIES,
  ) {
    const count = () => ({ n: 0 });
    this.reviews = new SeriesTable(name('review_total'), ['tier'], overflow, count);
    this.findings = new SeriesTable(
      name('findings_total'),
      ['reviewer', 'severity_tier'],
      overflow,
      count,
    );
    this.knowledge = new SeriesTable(
      name('knowledge_entries_total'),
      ['reviewer', 'section'],
      overflow,
      () => ({ entries: 0, added: 0 }),
    );
    this.drift = new SeriesTable(name('knowledge_drift_score'), ['reviewer'], overflow, () => ({
      ts: -Infinity,
      score: 0,
    }));
    this.usage = new SeriesTable(
      name('tokens_used_total'),
      ['operation', 'complexity'],
      overflow,
      count,
    );
  }

  applyAll(events: Iterable<VigilEvent>): void {
    for (const e of events) this.apply(e);
  }

  apply(e: VigilEvent): void {
    if (hasKind(USAGE_EVENT_TYPES, e)) {
      this.applyUsage(e);
      return;
    }
    if (!hasKind(CATALOGUE_EVENT_TYPES, e)) return;
    const a = e.attrs;
    switch (e.type) {
      case 'review_complete':
        this.applyReview(e);
        break;
      case 'review_finding': {
        const listed = Array.isArray(a['reviewers'])
          ? a['reviewers'].filter((r): r is string => typeof r === 'string')
          : [];
        const reviewers = listed.length > 0 ? listed : [e.agentRole];
        const tier = labelValue(a['severity_tier']);
        // A finding raised by several reviewers counts once for each of them.
        for (const r of new Set(reviewers)) this.findings.cell([labelValue(r), tier]).n += 1;
        break;
      }
      case 'knowledge_entry':
      case 'knowledge_updated': {
        const reviewer = labelValue(
          attrString(a, e.type === 'knowledge_entry' ? 'reviewer' : 'reviewer_id') ?? e.agentRole,
        );
        const cell = this.knowledge.cell([reviewer, labelValue(a['section'])]);
        if (e.type === 'knowledge_entry') cell.entries += 1;
        else cell.added += Math.max(0, attrNumber(a, 'entries_added') ?? 0);
        this.drift.cell([reviewer]);
        break;
      }
      case 'drift_detected': {
        const cell = this.drift.cell([labelValue(attrString(a, 'reviewer_id') ?? e.agentRole)]);
        if (e.ts >= cell.ts) {
          cell.ts = e.ts;
          cell.score = driftScore(a);
        }
        break;
      }
      case 'bypass_activated': {
        if (a['revoked'] === true || this.revocations.delete(e.id)) break;
        this.bypasses.set(e.id, attrNumber(a, 'expiresAtMs') ?? Infinity);
        break;
      }
      case 'bypass_revoked': {
        const id = attrString(a, 'activationId');
        if (id !== null && !this.bypasses.delete(id)) this.revocations.add(id);
        break;
      }
    }
  }

  private applyUsage(e: VigilEvent): void {
    const tokens = (e.tokensIn ?? 0) + (e.tokensOut ?? 0);
    if (tokens === 0) return;
    const operation =
      attrString(e.attrs, 'operation') ?? (e.type === 'task_metrics' ? 'task' : null);
    this.usage.cell([labelValue(operation), labelValue(e.attrs['complexity'])]).n += tokens;
    this.usageTokens += tokens;
  }

  private applyReview(e: VigilEvent): void {
    const a = e.attrs;
    const cs = attrNumber(a, 'cs');
    const stated = attrString(a, 'tier');
    const tier = labelValue(stated ?? (cs === null ? null : tierOf(cs)));
    this.reviews.cell([tier]).n += 1;
    if (a['mpr_applied'] === true) this.mprApplied += 1;
    if (cs === null) return;
    const task = labelValue(e.taskId);
    const known = this.latestReviews.get(task);
    if (known !== undefined) {
      if (e.ts >= known.ts) this.latestReviews.set(task, { ts: e.ts, cs, tier });
      return;
    }
    if (this.latestReviews.size >= this.reviewSeries) {
      // Keep the most recently reviewed tasks: drop the oldest, or this one if it is older.
      let oldest: [string, LatestReview] | null = null;
      for (const entry of this.latestReviews) {
        if (oldest === null || entry[1].ts < oldest[1].ts) oldest = entry;
      }
      this.overflow.add(this.name('review_consensus_score'));
      if (oldest === null || oldest[1].ts > e.ts) return;
      this.latestReviews.delete(oldest[0]);
    }
    this.latestReviews.set(task, { ts: e.ts, cs, tier });
  }

  /** `review_consensus_score` series: the latest review of each tracked task. */
  *consensusSamples(): Iterable<Sample> {
    for (const [task, r] of this.latestReviews) {
      yield { labels: { task_id: task, tier: r.tier }, value: r.cs };
    }
  }

  /** Bypasses neither revoked nor expired at `now`; expired ones are forgotten. */
  activeBypasses(now: number): number {
    let n = 0;
    for (const [id, expiresAt] of this.bypasses) {
      if (expiresAt > now) n += 1;
      else this.bypasses.delete(id);
    }
    return n;
  }
}

/** `drift_score` when the event has one (0..1), else its recommendation's score, else 1. */
function driftScore(a: Attrs): number {
  const score = attrNumber(a, 'drift_score');
  if (score !== null) return Math.min(1, Math.max(0, score));
  return recommendationScore(attrString(a, 'recommendation')) ?? 1;
}
