import type { z } from 'zod';

import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../core/event.js';
import { deriveId, isJsonObject, pickAttrs, str } from '../shared/fields.js';
import {
  type DocumentReject,
  documentFailure,
  documentReject,
  documentRejectFromIssues,
  parseDocumentItem,
  parseJsonDocument,
} from '../shared/json-document.js';
import type { DocumentContext, DocumentResult } from '../types.js';
import {
  CONSENSUS_KNOWN_KEYS,
  ReviewDocument,
  ReviewerSummary,
  ReviewFinding,
  SUPPORTED_SCHEMA_VERSIONS,
} from './schema.js';

export const WFC_REVIEW_ADAPTER = 'wfc-review';

const COMPLETE = lookupEventType('review_complete');
const FINDING = lookupEventType('review_finding');
const SUPPORTED = SUPPORTED_SCHEMA_VERSIONS.join(', ');

/** Checks `schema_version` first, so a newer document says so rather than failing elsewhere. */
function checkVersion(root: Record<string, unknown>): DocumentResult | null {
  const version = root['schema_version'];
  if (version === undefined) {
    return documentFailure(
      documentReject(
        'schema_version',
        `required field is missing; supported versions: ${SUPPORTED}`,
      ),
    );
  }
  if (SUPPORTED_SCHEMA_VERSIONS.some((v) => v === version)) return null;
  const shown = (JSON.stringify(version) ?? String(version)).slice(0, 40);
  return documentFailure(
    documentReject(
      'schema_version',
      `unsupported version ${shown}; supported versions: ${SUPPORTED}`,
    ),
  );
}

/** Validates each element on its own: a bad one is rejected, the others are kept. */
function validateEach<T>(
  items: readonly unknown[],
  name: string,
  schema: z.ZodType<T>,
  rejects: DocumentReject[],
  prepare: (item: Record<string, unknown>) => Record<string, unknown> = (item) => item,
): { index: number; value: T }[] {
  const out: { index: number; value: T }[] = [];
  items.forEach((item, index) => {
    const parsed = parseDocumentItem(item, schema, `${name}[${index}]`, prepare);
    if (parsed.ok) out.push({ index, value: parsed.value });
    else rejects.push(parsed.reject);
  });
  return out;
}

/** Applies the aliases WFC's Python names allow (`id`, `reviewer_ids`). */
function withAliases(raw: Record<string, unknown>): Record<string, unknown> {
  return {
    ...raw,
    fingerprint: raw['fingerprint'] ?? str(raw['id'], 256) ?? undefined,
    reviewers: raw['reviewers'] ?? raw['reviewer_ids'],
  };
}

/**
 * Parses a WFC `REVIEW-{task_id}.json` (schema_version "1.0") into one `review_complete` event
 * and one `review_finding` per valid finding. Never throws.
 *
 * @example
 * const { events, rejects } = parseWfcReview(readFileSync(file, 'utf8'), ctx);
 * events[0]?.type // 'review_complete'
 */
export function parseWfcReview(text: string, ctx: DocumentContext): DocumentResult {
  const doc = parseJsonDocument(text);
  if (!doc.ok) return documentFailure(doc.reject);
  const root = doc.value;
  if (!isJsonObject(root)) {
    return documentFailure({
      reason: 'not_an_object',
      line: null,
      message:
        'expected a JSON object with schema_version, task_id, completed_at, consensus, findings and reviewers',
    });
  }
  const versionReject = checkVersion(root);
  if (versionReject) return versionReject;
  const header = ReviewDocument.safeParse(root);
  if (!header.success) return documentFailure(documentRejectFromIssues(header.error.issues, root));
  const review = header.data;

  const rejects: DocumentReject[] = [];
  const reviewers = validateEach(review.reviewers, 'reviewers', ReviewerSummary, rejects);
  const findings = validateEach(review.findings, 'findings', ReviewFinding, rejects, withAliases);

  const source = { adapter: WFC_REVIEW_ADAPTER, file: ctx.file, line: null, offset: null };
  const reviewId = deriveId(WFC_REVIEW_ADAPTER, review.task_id, review.completed_at);
  const { consensus } = review;
  const duration =
    review.started_at !== undefined && review.completed_at >= review.started_at
      ? review.completed_at - review.started_at
      : null;
  const complete: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: reviewId,
    type: 'review_complete',
    kind: COMPLETE?.kind ?? 'review',
    ts: review.completed_at,
    taskId: review.task_id,
    status: consensus.passed ? 'success' : 'blocked',
    durationMs: duration,
    message: consensus.summary ?? null,
    source,
    attrs: {
      schema_version: review.schema_version,
      cs: consensus.cs,
      tier: consensus.tier,
      passed: consensus.passed,
      mpr_applied: consensus.minority_protection_applied,
      findings_count: review.findings.length,
      reviewers: reviewers.map(({ value }) => value.reviewer_id),
      reviewer_summaries: reviewers.map(({ value }) => ({
        reviewer_id: value.reviewer_id,
        score: value.score,
        findings_count: value.findings_count,
        relevant: value.relevant ?? true,
      })),
      consensus_extra: pickAttrs(consensus, CONSENSUS_KNOWN_KEYS),
    },
  };

  const seen = new Set<string>();
  const events: VigilEvent[] = [complete];
  for (const { index, value: f } of findings) {
    let key = f.fingerprint ?? `#${index}`;
    if (seen.has(key)) key = `${key}#${index}`;
    seen.add(key);
    events.push({
      ...EMPTY_EVENT_FIELDS,
      id: deriveId(WFC_REVIEW_ADAPTER, reviewId, 'finding', key),
      type: 'review_finding',
      kind: FINDING?.kind ?? 'review',
      ts: review.completed_at,
      taskId: review.task_id,
      agentRole: f.reviewers[0] ?? null,
      status: FINDING?.status ?? null,
      message: f.description,
      source,
      attrs: {
        review_id: reviewId,
        fingerprint: f.fingerprint ?? null,
        index,
        file: f.file,
        line_start: f.line_start,
        line_end: f.line_end ?? f.line_start,
        reviewers: [...f.reviewers],
        category: f.category,
        severity: f.severity,
        severity_tier: f.severity_tier,
        confidence: f.confidence ?? null,
        description: f.description,
      },
    });
  }
  return { events, rejects };
}
