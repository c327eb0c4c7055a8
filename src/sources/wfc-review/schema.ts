import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';
import { rangeField } from '../shared/zod-fields.js';

/** WFC's decision tiers, lowest first (CS < 4, < 7, < 9, >= 9). */
export const WFC_TIERS = ['informational', 'moderate', 'important', 'critical'] as const;
export type WfcTierName = (typeof WFC_TIERS)[number];
export const WfcTier = z.enum(WFC_TIERS, { error: `expected one of ${WFC_TIERS.join(', ')}` });

/** `schema_version` values this adapter reads. */
export const SUPPORTED_SCHEMA_VERSIONS = ['1.0'] as const;

/** A 0..10 score (CS, severity, confidence, reviewer score). */
export const Score = rangeField(10);

/** An ISO-8601 date-time string, parsed to epoch ms (naive = UTC). */
export const Timestamp = z
  .string({ error: 'expected an ISO-8601 date-time string such as 2026-02-17T14:30:00Z' })
  .transform((value, ctx) => {
    const ms = parseTimestamp(value);
    if (ms === null) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: 'expected an ISO-8601 date-time such as 2026-02-17T14:30:00Z',
      });
      return z.NEVER;
    }
    return ms;
  });

/** A non-empty string of at most `max` characters. */
export const text = (max: number) =>
  z
    .string({ error: 'expected a string' })
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });

const lineNumber = z
  .number({ error: 'expected a line number' })
  .int({ error: 'expected an integer line number' })
  .nonnegative({ error: 'must not be negative' });

/** `ConsensusScoreResult` without its scored findings (those are `findings`). */
export const Consensus = z.looseObject({
  cs: Score,
  tier: WfcTier,
  passed: z.boolean({ error: 'expected true or false' }),
  minority_protection_applied: z.boolean({ error: 'expected true or false' }),
  summary: z.string({ error: 'expected a string' }).max(65_536).optional(),
});
export type Consensus = z.infer<typeof Consensus>;

/** The document minus its arrays' elements, which are checked one by one. */
export const ReviewDocument = z.looseObject({
  schema_version: z.literal(SUPPORTED_SCHEMA_VERSIONS),
  task_id: text(256),
  started_at: Timestamp.optional(),
  completed_at: Timestamp,
  consensus: Consensus,
  findings: z.array(z.unknown(), { error: 'expected an array of findings (may be empty)' }),
  reviewers: z.array(z.unknown(), { error: 'expected an array of reviewer summaries' }),
});
export type ReviewDocument = z.infer<typeof ReviewDocument>;

/**
 * One `DeduplicatedFinding`. `fingerprint` may be spelt `id` and `reviewers` may be spelt
 * `reviewer_ids` (the Python dataclass's name); the parser applies those aliases first.
 */
export const ReviewFinding = z
  .looseObject({
    fingerprint: text(256).optional(),
    file: text(4096),
    line_start: lineNumber,
    line_end: lineNumber.optional(),
    category: text(128),
    severity: Score,
    severity_tier: WfcTier,
    description: text(65_536),
    reviewers: z
      .array(text(128), { error: 'expected an array of reviewer ids' })
      .min(1, { error: 'expected at least one reviewer id' }),
    confidence: Score.optional(),
  })
  .refine((f) => f.line_end === undefined || f.line_end >= f.line_start, {
    error: 'must not be before line_start',
    path: ['line_end'],
  });
export type ReviewFinding = z.infer<typeof ReviewFinding>;

/** One reviewer's summary (security, correctness, performance, maintainability, reliability). */
export const ReviewerSummary = z.looseObject({
  reviewer_id: text(128),
  score: Score,
  findings_count: z
    .number({ error: 'expected an integer' })
    .int({ error: 'expected an integer' })
    .nonnegative({ error: 'must not be negative' }),
  summary: z.string({ error: 'expected a string' }).max(65_536).optional(),
  relevant: z.boolean({ error: 'expected true or false' }).optional(),
});
export type ReviewerSummary = z.infer<typeof ReviewerSummary>;

/** Consensus keys with a column or attribute of their own; the rest go to `consensus_extra`. */
export const CONSENSUS_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(Consensus.shape));
