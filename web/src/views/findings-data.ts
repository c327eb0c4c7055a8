import { getJson, type ApiParams } from '../lib/api';
import type { Finding, FindingsResponse, SeverityTier } from '../types/reviews';

/** Findings read for the heatmap: pages of 1,000, newest review first, at most this many. */
export const MAX_FINDINGS = 5_000;

/** Reads up to MAX_FINDINGS findings for the filters; `truncated` when more exist. */
export async function loadFindings(
  params: ApiParams,
  signal: AbortSignal,
): Promise<{ findings: Finding[]; truncated: boolean }> {
  const findings: Finding[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await getJson<FindingsResponse>(
      '/api/findings',
      { ...params, limit: 1000, cursor: cursor ?? undefined },
      signal,
    );
    findings.push(...page.findings);
    cursor = page.next_cursor;
  } while (cursor && findings.length < MAX_FINDINGS);
  return { findings, truncated: Boolean(cursor) };
}

export interface HeatCell {
  file: string;
  reviewer: string;
  count: number;
  maxSeverity: number | null;
}

export interface Heatmap {
  files: string[];
  reviewers: string[];
  cells: Map<string, HeatCell>;
  totals: Map<string, number>;
  bySeverity: Map<string, Record<SeverityTier | 'unknown', number>>;
  max: number;
}

export const cellKey = (file: string, reviewer: string) => `${file}\u0000${reviewer}`;
const NO_FILE = '(no file)';

/** Counts findings per file × reviewer (a finding counts once for each of its reviewers). */
export function buildHeatmap(findings: readonly Finding[]): Heatmap {
  const cells = new Map<string, HeatCell>();
  const totals = new Map<string, number>();
  const reviewerSet = new Set<string>();
  const bySeverity = new Map<string, Record<SeverityTier | 'unknown', number>>();
  let max = 0;
  for (const f of findings) {
    const file = f.file ?? NO_FILE;
    const reviewers = f.reviewers.length ? f.reviewers : ['(unattributed)'];
    totals.set(file, (totals.get(file) ?? 0) + 1);
    for (const reviewer of reviewers) {
      reviewerSet.add(reviewer);
      const key = cellKey(file, reviewer);
      const cell = cells.get(key) ?? { file, reviewer, count: 0, maxSeverity: null };
      cell.count += 1;
      if (f.severity !== null)
        cell.maxSeverity = Math.max(cell.maxSeverity ?? f.severity, f.severity);
      cells.set(key, cell);
      max = Math.max(max, cell.count);
      const sev = bySeverity.get(reviewer) ?? {
        informational: 0,
        moderate: 0,
        important: 0,
        critical: 0,
        unknown: 0,
      };
      sev[f.severity_tier ?? 'unknown'] += 1;
      bySeverity.set(reviewer, sev);
    }
  }
  const files = [...totals.keys()].sort(
    (a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || a.localeCompare(b),
  );
  const reviewers = [...reviewerSet].sort();
  return { files, reviewers, cells, totals, bySeverity, max };
}

/** The heat colour token of a count (0 to 4 steps of the maximum). */
export function heatLevel(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((count / max) * 4)));
}
