/** `GET /api/knowledge`: reviewer knowledge health. */

export interface KnowledgeReviewer {
  reviewer: string;
  entries: number;
  sections: Record<string, number>;
  staleness: {
    newest_entry_date: string | null;
    oldest_entry_date: string | null;
    days_since_newest: number | null;
    stale_entries: number;
    undated_entries: number;
    stale_ratio: number | null;
  };
  bloat: {
    entries: number;
    limit: number;
    ratio: number;
    bloated: boolean;
    avg_entry_chars: number | null;
  };
  drift: {
    detected_at: string;
    recommendation: string | null;
    score: number;
    signals: string[];
    events: number;
  } | null;
  updates: { events: number; entries_added: number; last_at: string | null };
}

export interface KnowledgeResponse {
  generated_at: string;
  stale_days: number;
  bloat_limit: number;
  reviewers: KnowledgeReviewer[];
  entries: { reviewer: string; section: string; entries: number }[];
}
