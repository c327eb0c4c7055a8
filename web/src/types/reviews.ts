/** `GET /api/reviews`, `/api/reviews/{id}` and `/api/findings`. */

export type SeverityTier = 'informational' | 'moderate' | 'important' | 'critical';
export const SEVERITY_TIERS: readonly SeverityTier[] = [
  'informational',
  'moderate',
  'important',
  'critical',
];

export interface Review {
  id: string;
  task_id: string | null;
  completed_at: string;
  /** Consensus score, 0-10. */
  cs: number | null;
  tier: SeverityTier | null;
  passed: boolean | null;
  mpr_applied: boolean | null;
  findings_count: number | null;
  reviewers: string[];
  status: string | null;
  duration_seconds: number | null;
  summary: string | null;
  session_id: string | null;
  source_adapter: string;
}

export interface ReviewsResponse {
  reviews: Review[];
  next_cursor: string | null;
}

export interface Finding {
  id: string;
  review_id: string | null;
  task_id: string | null;
  at: string;
  file: string | null;
  line_start: number | null;
  line_end: number | null;
  category: string | null;
  severity: number | null;
  severity_tier: SeverityTier | null;
  confidence: number | null;
  reviewers: string[];
  description: string | null;
  fingerprint: string | null;
}

export interface FindingsResponse {
  findings: Finding[];
  next_cursor: string | null;
}

export interface ReviewDetail extends Review {
  reviewer_summaries: {
    reviewer_id: string;
    score: number | null;
    findings_count: number | null;
    relevant: boolean | null;
  }[];
  consensus_extra: Record<string, unknown>;
  findings: Finding[];
}
