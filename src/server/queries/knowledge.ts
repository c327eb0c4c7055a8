/**
 * Reviewer knowledge health (seed 000's dashboard view): entries per reviewer and section from
 * KNOWLEDGE.md (`knowledge_entry`), staleness from entry dates, bloat from entry counts, drift
 * from `drift_detected`, and activity from `knowledge_updated`.
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import { isoDate } from '../../output/dates.js';
import type { Store } from '../../store/types.js';
import { attrNumber, attrString, extent, round } from './attrs.js';
import { DAY_MS, isoOf } from './time.js';

/** WFC's drift recommendations as a 0..1 score (the drift score metric: 0 healthy, 1 needs review). */
const RECOMMENDATION_SCORES: Readonly<Record<string, number>> = {
  healthy: 0,
  needs_pruning: 0.5,
  needs_review: 1,
};

/**
 * The drift score of a WFC recommendation, or null for one WFC does not name.
 *
 * @example
 * recommendationScore('needs_pruning') // 0.5
 * recommendationScore('constructor')   // null
 */
export function recommendationScore(recommendation: string | null): number | null {
  return recommendation !== null && Object.hasOwn(RECOMMENDATION_SCORES, recommendation)
    ? (RECOMMENDATION_SCORES[recommendation] ?? null)
    : null;
}

interface ReviewerFold {
  reviewer: string;
  sections: Map<string, number>;
  /** Entry dates as epoch ms (00:00 UTC); undated entries are counted apart. */
  dates: number[];
  undated: number;
  textChars: number;
  entries: number;
  drift: VigilEvent | null;
  driftEvents: number;
  updates: number;
  entriesAdded: number;
  lastUpdate: number | null;
}

/** Knowledge events folded per reviewer: what each request derives its figures from. */
export type KnowledgeFold = Map<string, ReviewerFold>;

export async function foldKnowledge(store: Store): Promise<KnowledgeFold> {
  const fold: KnowledgeFold = new Map();
  const of = (reviewer: string): ReviewerFold => {
    let r = fold.get(reviewer);
    if (r === undefined) {
      r = {
        reviewer,
        sections: new Map(),
        dates: [],
        undated: 0,
        textChars: 0,
        entries: 0,
        drift: null,
        driftEvents: 0,
        updates: 0,
        entriesAdded: 0,
        lastUpdate: null,
      };
      fold.set(reviewer, r);
    }
    return r;
  };
  for await (const e of store.iterateEvents({ kinds: ['knowledge'] })) {
    const reviewer =
      attrString(e.attrs, 'reviewer') ?? attrString(e.attrs, 'reviewer_id') ?? e.agentRole;
    if (reviewer === null) continue;
    const r = of(reviewer);
    if (e.type === 'knowledge_entry') {
      const section = attrString(e.attrs, 'section') ?? 'unsectioned';
      r.sections.set(section, (r.sections.get(section) ?? 0) + 1);
      r.entries += 1;
      r.textChars += attrNumber(e.attrs, 'textLength') ?? e.message?.length ?? 0;
      const date = attrString(e.attrs, 'entryDate');
      const ms = date === null ? Number.NaN : Date.parse(`${date}T00:00:00Z`);
      if (Number.isNaN(ms)) r.undated += 1;
      else r.dates.push(ms);
    } else if (e.type === 'drift_detected') {
      r.driftEvents += 1;
      if (r.drift === null || e.ts >= r.drift.ts) r.drift = e;
    } else if (e.type === 'knowledge_updated') {
      r.updates += 1;
      r.entriesAdded += attrNumber(e.attrs, 'entries_added') ?? 0;
      if (r.lastUpdate === null || e.ts > r.lastUpdate) r.lastUpdate = e.ts;
    }
  }
  return fold;
}

const ReviewerHealth = z.object({
  reviewer: z.string(),
  entries: z.number().int(),
  sections: z.record(z.string(), z.number().int()),
  staleness: z.object({
    newest_entry_date: z.string().nullable(),
    oldest_entry_date: z.string().nullable(),
    days_since_newest: z.number().int().nullable(),
    stale_entries: z.number().int().describe('Dated entries older than `stale_days`'),
    undated_entries: z.number().int(),
    stale_ratio: z.number().nullable().describe('stale / dated entries'),
  }),
  bloat: z.object({
    entries: z.number().int(),
    limit: z.number().int(),
    ratio: z.number().describe('entries / limit'),
    bloated: z.boolean(),
    avg_entry_chars: z.number().nullable(),
  }),
  drift: z
    .object({
      detected_at: z.string(),
      recommendation: z.string().nullable(),
      score: z
        .number()
        .nullable()
        .describe('drift_score as reported, else 0 healthy, 0.5 needs_pruning, 1 needs_review'),
      signals: z.array(z.string()).describe('Signal types (stale, bloated, contradictory, ...)'),
      events: z.number().int(),
    })
    .nullable(),
  updates: z.object({
    events: z.number().int(),
    entries_added: z.number().int(),
    last_at: z.string().nullable(),
  }),
});

export const KnowledgeBody = z.object({
  generated_at: z.string(),
  stale_days: z.number().int(),
  bloat_limit: z.number().int(),
  reviewers: z.array(ReviewerHealth),
  entries: z
    .array(z.object({ reviewer: z.string(), section: z.string(), entries: z.number().int() }))
    .describe('Entries per reviewer and section'),
});
export type KnowledgeBody = z.infer<typeof KnowledgeBody>;

function signalsOf(e: VigilEvent): string[] {
  const raw = e.attrs['signals'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((s: unknown) => {
    if (typeof s === 'string') return [s];
    if (typeof s === 'object' && s !== null) {
      const t = attrString(s as Record<string, unknown>, 'signal_type');
      return t === null ? [] : [t];
    }
    return [];
  });
}

export function knowledgeBody(
  fold: KnowledgeFold,
  p: { reviewer?: string; staleDays: number; bloatLimit: number },
  now: number,
): KnowledgeBody {
  const reviewers = [...fold.values()]
    .filter((r) => p.reviewer === undefined || r.reviewer === p.reviewer)
    .sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1));
  return {
    generated_at: isoOf(now),
    stale_days: p.staleDays,
    bloat_limit: p.bloatLimit,
    reviewers: reviewers.map((r) => {
      const span = extent(r.dates);
      const newest = span?.max ?? null;
      const oldest = span?.min ?? null;
      const stale = r.dates.filter((d) => now - d > p.staleDays * DAY_MS).length;
      const recommendation = r.drift === null ? null : attrString(r.drift.attrs, 'recommendation');
      return {
        reviewer: r.reviewer,
        entries: r.entries,
        sections: Object.fromEntries([...r.sections].sort(([a], [b]) => (a < b ? -1 : 1))),
        staleness: {
          newest_entry_date: newest === null ? null : isoDate(newest),
          oldest_entry_date: oldest === null ? null : isoDate(oldest),
          days_since_newest: newest === null ? null : Math.floor((now - newest) / DAY_MS),
          stale_entries: stale,
          undated_entries: r.undated,
          stale_ratio: r.dates.length ? round(stale / r.dates.length, 4) : null,
        },
        bloat: {
          entries: r.entries,
          limit: p.bloatLimit,
          ratio: round(r.entries / p.bloatLimit, 4),
          bloated: r.entries > p.bloatLimit,
          avg_entry_chars: r.entries ? round(r.textChars / r.entries, 1) : null,
        },
        drift:
          r.drift === null
            ? null
            : {
                detected_at: isoOf(r.drift.ts),
                recommendation,
                score:
                  attrNumber(r.drift.attrs, 'drift_score') ?? recommendationScore(recommendation),
                signals: signalsOf(r.drift),
                events: r.driftEvents,
              },
        updates: {
          events: r.updates,
          entries_added: r.entriesAdded,
          last_at: r.lastUpdate === null ? null : isoOf(r.lastUpdate),
        },
      };
    }),
    entries: reviewers.flatMap((r) =>
      [...r.sections]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([section, entries]) => ({ reviewer: r.reviewer, section, entries })),
    ),
  };
}
