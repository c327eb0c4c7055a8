import { getJson, type ApiParams } from '../lib/api';
import type { LiveEvent } from '../lib/live';
import { bucketsOf, daysOf, DAY_MS, isoOf } from '../lib/time-range';
import { mapLimit } from '../lib/use-async';
import type { ReviewsResponse } from '../types/reviews';
import type { SummaryResponse } from '../types/summary';

/** Events read for the complexity and review breakdowns (the newest of the range). */
export const EVENT_SAMPLE = 5_000;
const MAX_DAYS = 62;

export interface DayCost {
  since: number;
  until: number;
  cost_estimate_usd: number | null;
  cost_reported_usd: number;
  tokens_input: number;
  tokens_output: number;
  tasks: number;
}

/** Cost and tokens per UTC day of the range (per equal bucket past 62 days), from /api/summary. */
export async function loadDays(
  range: { since: number; until: number },
  model: string | undefined,
  signal: AbortSignal,
): Promise<DayCost[]> {
  const days = daysOf(range, MAX_DAYS + 1);
  const buckets =
    days.length <= MAX_DAYS
      ? days.map((d) => ({
          since: Math.max(d, range.since),
          until: Math.min(d + DAY_MS, range.until),
        }))
      : bucketsOf(range, 31);
  return mapLimit(buckets, 4, async (b) => {
    const r = await getJson<SummaryResponse>(
      '/api/summary',
      { since: isoOf(b.since), until: isoOf(b.until), model },
      signal,
    );
    return {
      ...b,
      cost_estimate_usd: r.summary.cost_estimate_usd,
      cost_reported_usd: r.summary.cost_reported_usd,
      tokens_input: r.summary.tokens_input,
      tokens_output: r.summary.tokens_output,
      tasks: r.summary.total_tasks,
    };
  });
}

export interface TierRow {
  complexity: string;
  tasks: number;
  tokens: number;
  tokens_per_task: number | null;
  cost_reported_usd: number;
}

const TIER_ORDER = ['S', 'M', 'L', 'XL'];

const tokensOf = (e: Omit<LiveEvent, 'seq'>): number => {
  const cols = (e.tokens_input ?? 0) + (e.tokens_output ?? 0);
  const a = e.attrs;
  const attr =
    typeof a['tokens_total'] === 'number'
      ? a['tokens_total']
      : (typeof a['tokens_input'] === 'number' ? a['tokens_input'] : 0) +
        (typeof a['tokens_output'] === 'number' ? a['tokens_output'] : 0);
  return Math.max(cols, attr);
};

/**
 * Tokens by task complexity tier (`attrs.complexity`: S, M, L, XL on WFC task and workflow
 * events): per task its largest reported token count, so a start and an end event do not
 * count twice.
 */
export async function loadTiers(params: ApiParams, signal: AbortSignal): Promise<TierRow[]> {
  const [tasks, workflow] = await Promise.all([
    getJson<{ events: Omit<LiveEvent, 'seq'>[] }>(
      '/api/events',
      { ...params, kind: 'task', latest: EVENT_SAMPLE },
      signal,
    ),
    getJson<{ events: Omit<LiveEvent, 'seq'>[] }>(
      '/api/events',
      { ...params, type: 'workflow_metrics', latest: EVENT_SAMPLE },
      signal,
    ),
  ]);
  const perTask = new Map<string, { tier: string; tokens: number; cost: number }>();
  for (const e of [...tasks.events, ...workflow.events]) {
    const tier = e.attrs['complexity'];
    if (typeof tier !== 'string' || e.task_id === null) continue;
    const prev = perTask.get(e.task_id);
    perTask.set(e.task_id, {
      tier,
      tokens: Math.max(prev?.tokens ?? 0, tokensOf(e)),
      cost: Math.max(prev?.cost ?? 0, e.cost_usd ?? 0),
    });
  }
  const tiers = new Map<string, TierRow>();
  for (const t of perTask.values()) {
    const row = tiers.get(t.tier) ?? {
      complexity: t.tier,
      tasks: 0,
      tokens: 0,
      tokens_per_task: null,
      cost_reported_usd: 0,
    };
    row.tasks += 1;
    row.tokens += t.tokens;
    row.cost_reported_usd += t.cost;
    tiers.set(t.tier, row);
  }
  const rank = (c: string) => (TIER_ORDER.includes(c) ? TIER_ORDER.indexOf(c) : TIER_ORDER.length);
  return [...tiers.values()]
    .map((r) => ({ ...r, tokens_per_task: r.tasks ? r.tokens / r.tasks : null }))
    .sort(
      (a, b) => rank(a.complexity) - rank(b.complexity) || a.complexity.localeCompare(b.complexity),
    );
}

export interface ReviewTokens {
  task_id: string;
  reviews: number;
  tokens: number;
  tokens_per_review: number;
}

const isReviewCall = (e: Omit<LiveEvent, 'seq'>): boolean =>
  e.attrs['operation'] === 'review' ||
  /review/i.test(e.phase ?? '') ||
  /review/i.test(e.agent_role ?? '');

/**
 * Tokens per review: the tokens of LLM calls made for reviews (operation `review`, or a review
 * phase or role), per task, divided by that task's reviews in the range (at least one: the
 * calls show a review ran even when its result was not recorded).
 */
export async function loadReviewTokens(
  params: ApiParams,
  signal: AbortSignal,
): Promise<{ rows: ReviewTokens[]; reviews: number; tokens: number }> {
  const [reviews, calls] = await Promise.all([
    getJson<ReviewsResponse>(
      '/api/reviews',
      { since: params['since'], until: params['until'], limit: 1000 },
      signal,
    ),
    getJson<{ events: Omit<LiveEvent, 'seq'>[] }>(
      '/api/events',
      { ...params, kind: 'llm_call', latest: EVENT_SAMPLE },
      signal,
    ),
  ]);
  const perTask = new Map<string, number>();
  for (const r of reviews.reviews)
    if (r.task_id) perTask.set(r.task_id, (perTask.get(r.task_id) ?? 0) + 1);
  const tokens = new Map<string, number>();
  for (const e of calls.events) {
    if (!e.task_id || !isReviewCall(e)) continue;
    tokens.set(e.task_id, (tokens.get(e.task_id) ?? 0) + tokensOf(e));
  }
  const rows = [...tokens].map(([task_id, t]) => {
    const n = Math.max(1, perTask.get(task_id) ?? 0);
    return { task_id, reviews: n, tokens: t, tokens_per_review: t / n };
  });
  rows.sort((a, b) => b.tokens_per_review - a.tokens_per_review);
  return {
    rows,
    reviews: rows.reduce((n, r) => n + r.reviews, 0),
    tokens: rows.reduce((n, r) => n + r.tokens, 0),
  };
}
