/**
 * WFC review data (seed 000): /api/reviews, /api/reviews/:id, /api/findings, /api/knowledge and
 * /api/bypasses over the WFC fixtures ingested through the real pipeline. Expectations come
 * from the fixture files themselves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../cli/helpers.js';
import { getJson, startTestHub, type TestHub } from './harness.js';

const WFC = resolve(import.meta.dirname, '../fixtures/wfc');
const text = (rel: string) => readFileSync(join(WFC, rel), 'utf8');
const DAY = 86_400_000;

interface ReportFinding {
  id?: string;
  fingerprint?: string;
  file: string;
  line_start: number;
  severity_tier: string;
  category: string;
  description: string;
  reviewers?: string[];
  reviewer_ids?: string[];
}
interface Report {
  task_id: string;
  completed_at: string;
  consensus: {
    cs: number;
    tier: string;
    passed: boolean;
    minority_protection_applied: boolean;
    summary: string;
  } & Record<string, unknown>;
  findings: ReportFinding[];
  reviewers: { reviewer_id: string; score: number; findings_count: number; relevant?: boolean }[];
}
const reportNames = readdirSync(join(WFC, 'reviews')).filter((n) => n.endsWith('.json'));
const reports = reportNames.map((n) => JSON.parse(text(`reviews/${n}`)) as Report);
const eventLines = text('telemetry/events.jsonl')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>);
/** WFC's naive timestamps are UTC; offsets are honoured. */
const tsOf = (s: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s.slice(0, 23)}Z`);

interface ExpectedReview {
  task_id: string;
  ts: number;
  cs: number | null;
  tier: string | null;
  passed: boolean | null;
  mpr: boolean | null;
  findings: number | null;
  adapter: string;
}
const fromReports: ExpectedReview[] = reports.map((r) => ({
  task_id: r.task_id,
  ts: tsOf(r.completed_at),
  cs: r.consensus.cs,
  tier: r.consensus.tier,
  passed: r.consensus.passed,
  mpr: r.consensus.minority_protection_applied,
  findings: r.findings.length,
  adapter: 'wfc-review',
}));
const fromEvents: ExpectedReview[] = eventLines
  .filter((l) => l['event'] === 'review_complete')
  .map((l) => {
    const d = (typeof l['data'] === 'object' ? l['data'] : l) as Record<string, unknown>;
    return {
      task_id: d['task_id'] as string,
      ts: tsOf(l['timestamp'] as string),
      cs: (d['cs'] as number | undefined) ?? null,
      tier: (d['tier'] as string | undefined) ?? null,
      passed: (d['passed'] as boolean | undefined) ?? null,
      mpr: (d['mpr_applied'] as boolean | undefined) ?? null,
      findings: (d['findings_count'] as number | undefined) ?? null,
      adapter: 'wfc-events',
    };
  });
const allReviews = [...fromReports, ...fromEvents].sort((a, b) => b.ts - a.ts);
const allFindings = reports.flatMap((r) =>
  r.findings.map((f, index) => ({
    ...f,
    index,
    task_id: r.task_id,
    ts: tsOf(r.completed_at),
    reviewers: f.reviewers ?? f.reviewer_ids ?? [],
  })),
);

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    files: {
      ...Object.fromEntries(reportNames.map((n) => [`wfc/reviews/${n}`, text(`reviews/${n}`)])),
      'wfc/telemetry/events.jsonl': text('telemetry/events.jsonl'),
      'wfc/BYPASS-AUDIT.json': text('BYPASS-AUDIT.json'),
      'wfc/reviewers/security/KNOWLEDGE.md': text('reviewers/security/KNOWLEDGE.md'),
      'wfc/reviewers/correctness/KNOWLEDGE.md': text('reviewers/correctness/KNOWLEDGE.md'),
    },
  });
});
afterAll(async () => {
  await hub.close();
});

const get = <T>(path: string) => getJson<T>(hub, path);

/** Every item of a paginated list route, in the order served, and the number of pages. */
async function walk<T>(path: string, key: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const body: Record<string, unknown> = await get(
      cursor === null ? path : `${path}&cursor=${encodeURIComponent(cursor)}`,
    );
    items.push(...(body[key] as T[]));
    cursor = body['next_cursor'] as string | null;
    pages += 1;
  } while (cursor !== null && pages < 50);
  return { items, pages };
}

interface ReviewRow {
  id: string;
  task_id: string;
  completed_at: string;
  cs: number | null;
  tier: string | null;
  passed: boolean | null;
  mpr_applied: boolean | null;
  findings_count: number | null;
  source_adapter: string;
}
const summary = (r: ReviewRow) => [
  r.task_id,
  r.completed_at,
  r.cs,
  r.tier,
  r.passed,
  r.mpr_applied,
  r.findings_count,
  r.source_adapter,
];
const expectedSummary = (r: ExpectedReview) => [
  r.task_id,
  new Date(r.ts).toISOString(),
  r.cs,
  r.tier,
  r.passed,
  r.mpr,
  r.findings,
  r.adapter,
];

describe('GET /api/reviews', () => {
  it('lists every review_complete, newest first, across pages without gaps or repeats', async () => {
    const { items, pages } = await walk<ReviewRow>('/api/reviews?limit=2', 'reviews');
    expect(items.map(summary)).toEqual(allReviews.map(expectedSummary));
    expect(pages).toBe(Math.ceil(allReviews.length / 2));
    expect(new Set(items.map((r) => r.id)).size).toBe(allReviews.length);
  });

  it('filters by tier, passed, MPR, task and time', async () => {
    const ids = async (q: string) =>
      (await get<{ reviews: ReviewRow[] }>(`/api/reviews?${q}`)).reviews.map(summary);
    const pick = (f: (r: ExpectedReview) => boolean) => allReviews.filter(f).map(expectedSummary);
    expect(await ids('tier=critical')).toEqual(pick((r) => r.tier === 'critical'));
    expect(await ids('passed=false')).toEqual(pick((r) => r.passed === false));
    expect(await ids('mpr=true')).toEqual(pick((r) => r.mpr === true));
    expect(await ids('task=TASK-001')).toEqual(pick((r) => r.task_id === 'TASK-001'));
    expect(await ids('since=2026-02-17&order=asc')).toEqual(
      pick((r) => r.ts >= Date.parse('2026-02-17T00:00:00Z')).reverse(),
    );
    expect(pick((r) => r.passed === false)).toHaveLength(3);
  });

  it('pages an attribute filter one match at a time', async () => {
    const { items } = await walk<ReviewRow>('/api/reviews?tier=informational&limit=1', 'reviews');
    const expected = allReviews.filter((r) => r.tier === 'informational').map(expectedSummary);
    expect(expected).toHaveLength(3);
    expect(items.map(summary)).toEqual(expected);
  });

  it('exports CSV', async () => {
    const rows = parseCsv(await (await hub.fetch('/api/reviews?format=csv')).text());
    expect(rows[0]?.slice(0, 5)).toEqual(['id', 'task_id', 'completed_at', 'cs', 'tier']);
    expect(rows).toHaveLength(1 + allReviews.length);
  });

  it('rejects bad filters', async () => {
    for (const q of ['tier=severe', 'passed=yes', 'limit=0', 'cursor=%%', 'order=up']) {
      const res = await hub.fetch(`/api/reviews?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(q.split('=')[0]);
    }
  });
});

describe('GET /api/reviews/:id', () => {
  it('returns one review with its reviewer summaries and findings in report order', async () => {
    const list = await get<{ reviews: ReviewRow[] }>('/api/reviews?task=TASK-003&limit=10');
    const fromFile = list.reviews.find((r) => r.source_adapter === 'wfc-review') as ReviewRow;
    const detail = await get<
      ReviewRow & {
        reviewer_summaries: { reviewer_id: string; score: number; findings_count: number }[];
        consensus_extra: Record<string, unknown>;
        findings: {
          file: string;
          line_start: number;
          severity_tier: string;
          reviewers: string[];
          description: string;
        }[];
      }
    >(`/api/reviews/${encodeURIComponent(fromFile.id)}`);
    const report = reports.find((r) => r.task_id === 'TASK-003') as Report;
    expect(detail).toMatchObject({
      id: fromFile.id,
      cs: report.consensus.cs,
      tier: report.consensus.tier,
      passed: false,
      mpr_applied: true,
    });
    expect(
      detail.findings.map((f) => [
        f.file,
        f.line_start,
        f.severity_tier,
        f.reviewers,
        f.description,
      ]),
    ).toEqual(
      report.findings.map((f) => [
        f.file,
        f.line_start,
        f.severity_tier,
        f.reviewers ?? f.reviewer_ids,
        f.description,
      ]),
    );
    expect(
      detail.reviewer_summaries.map((s) => [s.reviewer_id, s.score, s.findings_count]),
    ).toEqual(report.reviewers.map((s) => [s.reviewer_id, s.score, s.findings_count]));

    const first = (await get<{ reviews: ReviewRow[] }>('/api/reviews?task=TASK-001')).reviews;
    const withExtra = await get<{ consensus_extra: Record<string, unknown>; findings: unknown[] }>(
      `/api/reviews/${encodeURIComponent((first.find((r) => r.source_adapter === 'wfc-review') as ReviewRow).id)}`,
    );
    expect(withExtra.consensus_extra).toEqual({ R_bar: 4.87, R_max: 6.3, k_total: 5, n: 5 });
    const fromEvent = await get<{ findings: unknown[]; findings_count: number }>(
      `/api/reviews/${encodeURIComponent((first.find((r) => r.source_adapter === 'wfc-events') as ReviewRow).id)}`,
    );
    expect(fromEvent.findings).toEqual([]);
    expect(fromEvent.findings_count).toBe(2);
  });

  it('answers 404 for an unknown review', async () => {
    const res = await hub.fetch('/api/reviews/wfc-review:000000000000000000000000');
    expect(res.status).toBe(404);
  });
});

describe('GET /api/findings', () => {
  interface FindingRow {
    task_id: string;
    file: string;
    line_start: number;
    severity_tier: string;
    reviewers: string[];
    description: string;
  }
  const key = (f: { task_id: string; file: string; line_start: number }) =>
    `${f.task_id}:${f.file}:${f.line_start}`;
  const expectedOrder = [...allFindings].sort((a, b) => b.ts - a.ts || b.index - a.index).map(key);

  it('lists every finding, newest review first, across pages', async () => {
    const { items } = await walk<FindingRow>('/api/findings?limit=4', 'findings');
    expect(items).toHaveLength(allFindings.length);
    expect(items.map(key)).toEqual(expectedOrder);
  });

  it('filters by reviewer, severity tier, file or folder, category and task', async () => {
    const keys = async (q: string) =>
      (await walk<FindingRow>(`/api/findings?limit=3&${q}`, 'findings')).items.map(key).sort();
    const pick = (f: (x: (typeof allFindings)[number]) => boolean) =>
      allFindings.filter(f).map(key).sort();
    expect(await keys('reviewer=security')).toEqual(pick((f) => f.reviewers.includes('security')));
    expect(await keys('severity_tier=critical')).toEqual(
      pick((f) => f.severity_tier === 'critical'),
    );
    expect(await keys('reviewer=reliability&severity_tier=moderate')).toEqual(
      pick((f) => f.reviewers.includes('reliability') && f.severity_tier === 'moderate'),
    );
    expect(await keys('file=src/api/search.py')).toEqual(
      pick((f) => f.file === 'src/api/search.py'),
    );
    expect(await keys('file=src/integrations/')).toEqual(
      pick((f) => f.file.startsWith('src/integrations/')),
    );
    expect(await keys('category=injection')).toEqual(pick((f) => f.category === 'injection'));
    expect(await keys('task=TASK-002')).toEqual(pick((f) => f.task_id === 'TASK-002'));
    expect(pick((f) => f.reviewers.includes('security')).length).toBeGreaterThan(3);
  });

  it('exports CSV with descriptions quoted as needed', async () => {
    const rows = parseCsv(await (await hub.fetch('/api/findings?format=csv&task=TASK-004')).text());
    const header = rows[0] as string[];
    expect(header).toContain('description');
    const report = reports.find((r) => r.task_id === 'TASK-004') as Report;
    expect(
      rows
        .slice(1)
        .map((r) => r[header.indexOf('description')])
        .sort(),
    ).toEqual(report.findings.map((f) => f.description).sort());
    expect((await hub.fetch('/api/findings?severity_tier=urgent')).status).toBe(400);
  });
});

describe('GET /api/knowledge', () => {
  interface Health {
    reviewer: string;
    entries: number;
    sections: Record<string, number>;
    staleness: {
      newest_entry_date: string | null;
      oldest_entry_date: string | null;
      days_since_newest: number | null;
      stale_entries: number;
      undated_entries: number;
    };
    bloat: { entries: number; limit: number; ratio: number; bloated: boolean };
    drift: {
      recommendation: string | null;
      score: number | null;
      signals: string[];
      events: number;
    } | null;
    updates: { events: number; entries_added: number };
  }

  /** The dates of security's dated entries (leading dates, or a source marker's). */
  const SECURITY_DATES = [
    '2026-02-10',
    '2026-02-12',
    '2026-02-19',
    '2026-02-20',
    '2026-02-20',
    '2026-02-11',
    '2026-02-20',
  ];

  it('counts entries per reviewer and section, with staleness, bloat and drift', async () => {
    // security: 5 patterns (one under ### Secrets), 2 false positives, 2 incidents; 7 dated
    // (one by its source marker), 2 undated (no date, impossible date). correctness: 4
    // patterns, 1 convention (written twice with different spacing), Open Questions empty.
    const before = Date.now();
    const k = await get<{
      reviewers: Health[];
      entries: { reviewer: string; section: string; entries: number }[];
    }>('/api/knowledge?stale_days=90&bloat_limit=6');
    const byName = new Map(k.reviewers.map((r) => [r.reviewer, r]));
    expect([...byName.keys()]).toEqual(['correctness', 'performance', 'security']);
    const days = Math.floor((before - Date.parse('2026-02-20T00:00:00Z')) / DAY);
    expect(byName.get('security')).toMatchObject({
      entries: 9,
      sections: { false_positives: 2, incidents: 2, patterns_found: 5 },
      staleness: {
        newest_entry_date: '2026-02-20',
        oldest_entry_date: '2026-02-10',
        stale_entries: SECURITY_DATES.filter((d) => before - Date.parse(d) > 90 * DAY).length,
        undated_entries: 2,
      },
      bloat: { entries: 9, limit: 6, ratio: 1.5, bloated: true },
      drift: { recommendation: 'needs_review', score: 1, signals: ['contradictory'], events: 1 },
      updates: { events: 1, entries_added: 3 },
    });
    expect([days, days + 1]).toContain(byName.get('security')?.staleness.days_since_newest);
    expect(byName.get('correctness')).toMatchObject({
      entries: 5,
      sections: { conventions: 1, patterns_found: 4 },
      staleness: {
        newest_entry_date: '2026-02-20',
        oldest_entry_date: '2026-02-17',
        undated_entries: 1,
      },
      bloat: { bloated: false },
      drift: {
        recommendation: 'needs_pruning',
        score: 0.5,
        signals: ['stale', 'bloated'],
        events: 1,
      },
    });
    expect(byName.get('performance')).toMatchObject({
      entries: 0,
      drift: null,
      updates: { events: 1, entries_added: 2 },
    });
    expect(k.entries).toEqual([
      { reviewer: 'correctness', section: 'conventions', entries: 1 },
      { reviewer: 'correctness', section: 'patterns_found', entries: 4 },
      { reviewer: 'security', section: 'false_positives', entries: 2 },
      { reviewer: 'security', section: 'incidents', entries: 2 },
      { reviewer: 'security', section: 'patterns_found', entries: 5 },
    ]);
    const fresh = await get<{ reviewers: Health[] }>(
      '/api/knowledge?stale_days=36500&reviewer=security',
    );
    expect(fresh.reviewers.map((r) => [r.reviewer, r.staleness.stale_entries])).toEqual([
      ['security', 0],
    ]);
  });

  it('exports entries per reviewer and section as CSV, and rejects bad limits', async () => {
    const rows = parseCsv(await (await hub.fetch('/api/knowledge?format=csv')).text());
    expect(rows[0]).toEqual(['reviewer', 'section', 'entries']);
    expect(rows.slice(1).reduce((s, r) => s + Number(r[2]), 0)).toBe(14);
    expect((await hub.fetch('/api/knowledge?stale_days=0')).status).toBe(400);
    expect((await hub.fetch('/api/knowledge?bloat_limit=many')).status).toBe(400);
  });
});

describe('GET /api/bypasses', () => {
  interface Bypass {
    bypass_id: string | null;
    task_id: string;
    status: string;
    cs_at_bypass: number;
    tier: string;
    bypassed_by: string;
    expires_at: string;
    expires_in_seconds: number | null;
    revoked_at: string | null;
    revoked_by: string | null;
  }
  const audit = JSON.parse(text('BYPASS-AUDIT.json')) as {
    bypasses: {
      bypass_id?: string;
      task_id: string;
      created_at: string;
      expires_at: string;
      cs_at_bypass: number;
      tier: string;
      bypassed_by: string;
      revoked_at?: string | null;
      revoked_by?: string;
    }[];
  };

  it('reports each bypass as active, expired or revoked, with its expiry and score', async () => {
    const before = Date.now();
    const b = await get<{ counts: Record<string, number>; bypasses: Bypass[] }>('/api/bypasses');
    const after = Date.now();
    const expected = [...audit.bypasses]
      .sort((x, y) => tsOf(y.created_at) - tsOf(x.created_at))
      .map((r) => ({
        bypass_id: r.bypass_id ?? null,
        task_id: r.task_id,
        cs_at_bypass: r.cs_at_bypass,
        tier: r.tier,
        bypassed_by: r.bypassed_by,
        expires_at: new Date(tsOf(r.expires_at)).toISOString(),
        status: r.revoked_at ? 'revoked' : tsOf(r.expires_at) <= before ? 'expired' : 'active',
        revoked_at: r.revoked_at ? new Date(tsOf(r.revoked_at)).toISOString() : null,
        revoked_by: r.revoked_by ?? null,
      }));
    expect(b.bypasses).toEqual(expected.map((e) => expect.objectContaining(e)));
    expect(b.counts).toEqual({ active: 1, expired: 1, revoked: 1, total: 3 });
    const active = b.bypasses.find((x) => x.status === 'active') as Bypass;
    const expires = Date.parse(active.expires_at);
    expect(active.expires_in_seconds).toBeGreaterThanOrEqual((expires - after) / 1000 - 1);
    expect(active.expires_in_seconds).toBeLessThanOrEqual((expires - before) / 1000 + 1);
    expect(
      b.bypasses.filter((x) => x.status !== 'active').every((x) => x.expires_in_seconds === null),
    ).toBe(true);
  });

  it('filters by status and task, exports CSV, rejects unknown states', async () => {
    const revoked = await get<{ counts: Record<string, number>; bypasses: Bypass[] }>(
      '/api/bypasses?status=revoked',
    );
    expect(revoked.bypasses.map((x) => [x.bypass_id, x.revoked_by])).toEqual([
      ['BP-2026-0002', 'carol@example.com'],
    ]);
    expect(revoked.counts.total).toBe(3);
    const byTask = await get<{ bypasses: Bypass[] }>('/api/bypasses?task=TASK-003');
    expect(byTask.bypasses.map((x) => x.status)).toEqual(['expired']);
    const rows = parseCsv(await (await hub.fetch('/api/bypasses?format=csv')).text());
    expect(rows[0]?.slice(0, 4)).toEqual(['id', 'bypass_id', 'task_id', 'status']);
    expect(rows).toHaveLength(4);
    expect((await hub.fetch('/api/bypasses?status=paused')).status).toBe(400);
  });
});
