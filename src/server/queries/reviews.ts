/**
 * WFC reviews (seed 000): `review_complete` events (from REVIEW-{task}.json exports and from
 * `events.jsonl`) and the `review_finding` events of the exports (docs/formats/wfc-reviews.md).
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import { EVENT_STATUSES } from '../../core/vocabulary.js';
import type { EventFilter, Store } from '../../store/types.js';
import { attrBoolean, attrNumber, attrObject, attrString, attrStrings, round } from './attrs.js';
import { isoOf } from './time.js';

export const TIERS = ['informational', 'moderate', 'important', 'critical'] as const;

export const ReviewRow = z.object({
  id: z.string().describe('The review id (its event id): /api/reviews/{id}'),
  task_id: z.string().nullable(),
  completed_at: z.string(),
  cs: z.number().nullable().describe('Consensus score, 0-10'),
  tier: z.string().nullable(),
  passed: z.boolean().nullable(),
  mpr_applied: z.boolean().nullable().describe('Minority Protection Rule fired'),
  findings_count: z.number().int().nullable(),
  reviewers: z.array(z.string()),
  status: z.enum(EVENT_STATUSES).nullable(),
  duration_seconds: z.number().nullable(),
  summary: z.string().nullable(),
  session_id: z.string().nullable(),
  source_adapter: z.string(),
});
export type ReviewRow = z.infer<typeof ReviewRow>;

export const FindingRow = z.object({
  id: z.string(),
  review_id: z.string().nullable(),
  task_id: z.string().nullable(),
  at: z.string().describe('When the review completed'),
  file: z.string().nullable(),
  line_start: z.number().int().nullable(),
  line_end: z.number().int().nullable(),
  category: z.string().nullable(),
  severity: z.number().nullable(),
  severity_tier: z.string().nullable(),
  confidence: z.number().nullable(),
  reviewers: z.array(z.string()),
  description: z.string().nullable(),
  fingerprint: z.string().nullable(),
});
export type FindingRow = z.infer<typeof FindingRow>;

export const ReviewDetail = ReviewRow.extend({
  reviewer_summaries: z.array(
    z.object({
      reviewer_id: z.string(),
      score: z.number().nullable(),
      findings_count: z.number().int().nullable(),
      relevant: z.boolean().nullable(),
    }),
  ),
  consensus_extra: z.record(z.string(), z.unknown()),
  findings: z.array(FindingRow).describe('In the order of the report'),
});
export type ReviewDetail = z.infer<typeof ReviewDetail>;

export const REVIEW_FILTER: EventFilter = { kinds: ['review'], types: ['review_complete'] };
export const FINDING_FILTER: EventFilter = { kinds: ['review'], types: ['review_finding'] };

export function reviewRow(e: VigilEvent): ReviewRow {
  const a = e.attrs;
  return {
    id: e.id,
    task_id: e.taskId,
    completed_at: isoOf(e.ts),
    cs: attrNumber(a, 'cs'),
    tier: attrString(a, 'tier'),
    passed: attrBoolean(a, 'passed'),
    mpr_applied: attrBoolean(a, 'mpr_applied'),
    findings_count: attrNumber(a, 'findings_count'),
    reviewers: attrStrings(a, 'reviewers'),
    status: e.status,
    duration_seconds: e.durationMs === null ? null : round(e.durationMs / 1000, 3),
    summary: e.message,
    session_id: e.sessionId,
    source_adapter: e.source.adapter,
  };
}

export function findingRow(e: VigilEvent): FindingRow {
  const a = e.attrs;
  return {
    id: e.id,
    review_id: attrString(a, 'review_id'),
    task_id: e.taskId,
    at: isoOf(e.ts),
    file: attrString(a, 'file'),
    line_start: attrNumber(a, 'line_start'),
    line_end: attrNumber(a, 'line_end'),
    category: attrString(a, 'category'),
    severity: attrNumber(a, 'severity'),
    severity_tier: attrString(a, 'severity_tier'),
    confidence: attrNumber(a, 'confidence'),
    reviewers: attrStrings(a, 'reviewers'),
    description: attrString(a, 'description') ?? e.message,
    fingerprint: attrString(a, 'fingerprint'),
  };
}

export interface ReviewFilters {
  tier?: string;
  passed?: boolean;
  mpr?: boolean;
}

/** The row of a review event when it passes the attribute filters, else null. */
export function reviewMatcher(f: ReviewFilters): (e: VigilEvent) => ReviewRow | null {
  return (e) => {
    const r = reviewRow(e);
    if (f.tier !== undefined && r.tier !== f.tier) return null;
    if (f.passed !== undefined && r.passed !== f.passed) return null;
    if (f.mpr !== undefined && r.mpr_applied !== f.mpr) return null;
    return r;
  };
}

export interface FindingFilters {
  reviewer?: string;
  severityTier?: string;
  /** A file path, or a folder ending in `/` (every file under it). */
  file?: string;
  category?: string;
  review?: string;
}

export function findingMatcher(f: FindingFilters): (e: VigilEvent) => FindingRow | null {
  return (e) => {
    const r = findingRow(e);
    if (f.reviewer !== undefined && !r.reviewers.includes(f.reviewer)) return null;
    if (f.severityTier !== undefined && r.severity_tier !== f.severityTier) return null;
    if (f.category !== undefined && r.category !== f.category) return null;
    if (f.review !== undefined && r.review_id !== f.review) return null;
    if (f.file !== undefined) {
      const file = r.file ?? '';
      if (f.file.endsWith('/') ? !file.startsWith(f.file) : file !== f.file) return null;
    }
    return r;
  };
}

/** When each review completed, by id: how one review is found again without a scan. */
export type ReviewIndex = Map<string, { ts: number }>;

export async function buildReviewIndex(store: Store): Promise<ReviewIndex> {
  const index: ReviewIndex = new Map();
  for await (const e of store.iterateEvents(REVIEW_FILTER)) {
    index.set(e.id, { ts: e.ts });
  }
  return index;
}

/** One review with its findings, or null when no review has this id. */
export async function reviewDetail(
  store: Store,
  index: ReviewIndex,
  id: string,
): Promise<ReviewDetail | null> {
  const at = index.get(id);
  if (at === undefined) return null;
  let review: VigilEvent | undefined;
  const findings: VigilEvent[] = [];
  // A review and its findings share the review's completion time: read that instant only.
  for await (const e of store.iterateEvents({
    kinds: ['review'],
    since: at.ts,
    until: at.ts + 1,
  })) {
    if (e.type === 'review_complete' && e.id === id) review = e;
    else if (e.type === 'review_finding' && e.attrs['review_id'] === id) findings.push(e);
  }
  if (review === undefined) return null;
  const a = review.attrs;
  const summaries = Array.isArray(a['reviewer_summaries']) ? a['reviewer_summaries'] : [];
  findings.sort(
    (x, y) => (attrNumber(x.attrs, 'index') ?? 0) - (attrNumber(y.attrs, 'index') ?? 0),
  );
  return {
    ...reviewRow(review),
    reviewer_summaries: summaries.flatMap((s: unknown) => {
      if (typeof s !== 'object' || s === null) return [];
      const o = s as Record<string, unknown>;
      const reviewer = attrString(o, 'reviewer_id');
      return reviewer === null
        ? []
        : [
            {
              reviewer_id: reviewer,
              score: attrNumber(o, 'score'),
              findings_count: attrNumber(o, 'findings_count'),
              relevant: attrBoolean(o, 'relevant'),
            },
          ];
    }),
    consensus_extra: attrObject(a, 'consensus_extra') ?? {},
    findings: findings.map(findingRow),
  };
}

export const REVIEW_COLUMNS = Object.keys(ReviewRow.shape) as (keyof ReviewRow)[];
export const FINDING_COLUMNS = Object.keys(FindingRow.shape) as (keyof FindingRow)[];
