/**
 * Seed 001's quality-gate metrics: decisions with their consensus, approvals and rejections,
 * a breakdown per gate and rubric averages, from the gate events of a time window.
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../../store/types.js';
import {
  attrBoolean,
  attrNumber,
  attrObject,
  attrString,
  attrStrings,
  extent,
  groupBy,
  mean,
  ratio,
} from './attrs.js';
import { isoOf, type TimeWindow } from './time.js';

export const GATE_DECISIONS = ['approved', 'rejected', 'warned', 'other'] as const;
export type GateDecision = (typeof GATE_DECISIONS)[number];

/**
 * VibeForge logs a `gate_blocked` or `gate_warned` right after the `gate_evaluated` it repeats;
 * counting them would count one decision twice.
 */
const FOLLOW_UP_TYPES: ReadonlySet<string> = new Set(['gate_blocked', 'gate_warned']);

export const GateDecisionRow = z.object({
  event_id: z.string(),
  at: z.string(),
  task_id: z.string().nullable(),
  gate: z.string(),
  decision: z.enum(GATE_DECISIONS),
  consensus_score: z.number().nullable(),
  quorum_satisfied: z.boolean().nullable(),
  reviewers: z.array(z.string()),
  rubric_scores: z.record(z.string(), z.number()),
  reason: z.string().nullable(),
  event_type: z.string(),
});
export type GateDecisionRow = z.infer<typeof GateDecisionRow>;

const GateBreakdown = z.object({
  gate: z.string(),
  decisions: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  warned: z.number().int(),
  approval_rate: z.number().nullable().describe('approved / (approved + rejected)'),
  avg_consensus: z.number().nullable(),
});

export const QualityGatesBody = z.object({
  window: z.object({ since: z.string(), until: z.string() }),
  generated_at: z.string(),
  decisions: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  warned: z.number().int(),
  other: z.number().int(),
  approval_rate: z.number().nullable().describe('approved / (approved + rejected)'),
  consensus: z.object({
    average: z.number().nullable().describe('Mean consensus score of the decisions that have one'),
    scored: z.number().int(),
    quorum_satisfied: z.number().int(),
    quorum_missed: z.number().int(),
  }),
  gates: z.array(GateBreakdown),
  rubric: z.array(
    z.object({
      criterion: z.string(),
      average: z.number(),
      min: z.number(),
      max: z.number(),
      count: z.number().int(),
    }),
  ),
  history: z.array(GateDecisionRow).describe('Newest first, at most `limit`'),
  history_total: z.number().int(),
});
export type QualityGatesBody = z.infer<typeof QualityGatesBody>;

function decisionOf(e: VigilEvent): GateDecision {
  const d = attrString(e.attrs, 'decision') ?? attrString(e.attrs, 'result');
  if (d === 'approved' || d === 'passed') return 'approved';
  if (d === 'rejected' || d === 'blocked' || d === 'failed') return 'rejected';
  if (d === 'warned') return 'warned';
  switch (e.status) {
    case 'success':
      return 'approved';
    case 'failure':
    case 'blocked':
      return 'rejected';
    case 'warned':
      return 'warned';
    default:
      return 'other';
  }
}

function rowOf(e: VigilEvent): GateDecisionRow {
  const rubric: Record<string, number> = {};
  for (const [k, v] of Object.entries(attrObject(e.attrs, 'rubric_scores') ?? {})) {
    if (typeof v === 'number' && Number.isFinite(v)) rubric[k] = v;
  }
  return {
    event_id: e.id,
    at: isoOf(e.ts),
    task_id: e.taskId,
    gate: attrString(e.attrs, 'gate') ?? e.type,
    decision: decisionOf(e),
    consensus_score: attrNumber(e.attrs, 'consensus_score'),
    quorum_satisfied: attrBoolean(e.attrs, 'quorum_satisfied'),
    reviewers: attrStrings(e.attrs, 'reviewers'),
    rubric_scores: rubric,
    reason: e.message ?? attrString(e.attrs, 'reason'),
    event_type: e.type,
  };
}

/** Every gate decision of the window, newest first. */
export async function gateDecisions(store: Store, window: TimeWindow): Promise<GateDecisionRow[]> {
  const rows: GateDecisionRow[] = [];
  for await (const e of store.iterateEvents({
    kinds: ['gate'],
    since: window.since,
    until: window.until,
  })) {
    if (!FOLLOW_UP_TYPES.has(e.type)) rows.push(rowOf(e));
  }
  return rows.reverse();
}

/** The quality-gate document of a window's decisions (newest first). */
export function qualityGatesBody(
  rows: readonly GateDecisionRow[],
  window: TimeWindow,
  now: number,
  historyLimit: number,
): QualityGatesBody {
  const count = (d: GateDecision) => rows.filter((r) => r.decision === d).length;
  const approved = count('approved');
  const rejected = count('rejected');
  const scores = rows.flatMap((r) => (r.consensus_score === null ? [] : [r.consensus_score]));
  const gates = groupBy(rows, (r) => r.gate);
  const rubric = groupBy(
    rows.flatMap((r) => Object.entries(r.rubric_scores)),
    ([k]) => k,
  );
  return {
    window: { since: isoOf(window.since), until: isoOf(window.until) },
    generated_at: isoOf(now),
    decisions: rows.length,
    approved,
    rejected,
    warned: count('warned'),
    other: count('other'),
    approval_rate: ratio(approved, approved + rejected),
    consensus: {
      average: mean(scores),
      scored: scores.length,
      quorum_satisfied: rows.filter((r) => r.quorum_satisfied === true).length,
      quorum_missed: rows.filter((r) => r.quorum_satisfied === false).length,
    },
    gates: [...gates]
      .map(([gate, rs]) => {
        const a = rs.filter((r) => r.decision === 'approved').length;
        const j = rs.filter((r) => r.decision === 'rejected').length;
        return {
          gate,
          decisions: rs.length,
          approved: a,
          rejected: j,
          warned: rs.filter((r) => r.decision === 'warned').length,
          approval_rate: ratio(a, a + j),
          avg_consensus: mean(
            rs.flatMap((r) => (r.consensus_score === null ? [] : [r.consensus_score])),
          ),
        };
      })
      .sort((x, y) => y.decisions - x.decisions || (x.gate < y.gate ? -1 : 1)),
    rubric: [...rubric]
      .map(([criterion, entries]) => {
        const vs = entries.map(([, v]) => v);
        // A group is never empty: it exists because a row scored this criterion.
        const { min, max } = extent(vs) ?? { min: 0, max: 0 };
        return { criterion, average: mean(vs) ?? 0, min, max, count: vs.length };
      })
      .sort((x, y) => (x.criterion < y.criterion ? -1 : 1)),
    history: rows.slice(0, historyLimit),
    history_total: rows.length,
  };
}

export const GATE_ROW_COLUMNS = [
  'event_id',
  'at',
  'task_id',
  'gate',
  'decision',
  'consensus_score',
  'quorum_satisfied',
  'reviewers',
  'rubric_scores',
  'reason',
  'event_type',
] as const satisfies readonly (keyof GateDecisionRow)[];
