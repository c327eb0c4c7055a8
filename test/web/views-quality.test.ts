/**
 * The quality and resource views render from the fixture workspace and show the hub's
 * numbers: reviews and a review's findings, the findings heatmap's cells, knowledge health,
 * bypasses with a running countdown, quality gates and resolution loops, resources; each
 * compared with the API route the view reads, fetched by the test with the same filters.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  api,
  collectErrors,
  createDashboardWorkspace,
  createHub,
  freePort,
  kpis,
  launchBrowser,
  newContext,
  openView,
  RANGE_QUERY,
  requireDashboardBuild,
  rowKeys,
  type DashboardWorkspace,
  type Hub,
} from './harness.js';
import { expectKpi, expectTextsMatchRaw } from './kpi-assertions.js';

let browser: Browser;
let ws: DashboardWorkspace;
let hub: Hub;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  requireDashboardBuild();
  ws = createDashboardWorkspace('vigil-web-quality-');
  hub = createHub(ws, await freePort());
  await hub.start();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
  ws?.cleanup();
});

beforeEach(async () => {
  context = await newContext(browser);
  page = await context.newPage();
  errors = collectErrors(page);
});

afterEach(async () => {
  await context?.close();
});

describe('quality and resource views show the hub numbers', () => {
  it('reviews: the list, its KPIs and a review detail are /api/reviews', async () => {
    expect(await openView(page, hub, 'reviews')).toBe('ready');
    type Review = { id: string; passed: boolean | null; cs: number | null; mpr_applied: boolean };
    const { reviews } = await api<{ reviews: Review[] }>(
      hub,
      `/api/reviews?${RANGE_QUERY}&limit=500`,
    );
    expect(reviews.length).toBeGreaterThan(3);
    expect((await rowKeys(page, 'reviews-table')).sort()).toEqual(reviews.map((r) => r.id).sort());
    const decided = reviews.filter((r) => r.passed !== null);
    const scored = reviews.filter((r) => r.cs !== null);
    const shown = await kpis(page, 'section[data-view="reviews"]');
    expectKpi(shown, 'reviews', reviews.length);
    expectKpi(shown, 'pass_rate', decided.filter((r) => r.passed).length / decided.length);
    expectKpi(shown, 'avg_cs', scored.reduce((n, r) => n + (r.cs ?? 0), 0) / scored.length);
    expectKpi(shown, 'mpr', reviews.filter((r) => r.mpr_applied).length);
    await expectTextsMatchRaw(page, 'reviews');

    // The review with the most findings opens with exactly those findings.
    const detailed = await Promise.all(
      reviews.map((r) =>
        api<{ id: string; task_id: string; findings: { id: string }[] }>(
          hub,
          `/api/reviews/${encodeURIComponent(r.id)}`,
        ),
      ),
    );
    const most = detailed.sort((a, b) => b.findings.length - a.findings.length)[0]!;
    expect(most.findings.length).toBeGreaterThan(0);
    await page.locator(`[data-testid="reviews-table"] [data-row-key="${most.id}"]`).click();
    const detail = page.locator('[data-testid="review-detail"]');
    await detail.waitFor();
    await expect
      .poll(() => rowKeys(page, 'review-findings-table'))
      .toEqual(most.findings.map((f) => f.id));
    expect(await detail.innerText()).toContain(most.task_id);
    expect(new URL(page.url()).hash).toContain('review=');
    expect(errors).toEqual([]);
  });

  it('findings: heatmap cells count /api/findings per file and reviewer', async () => {
    expect(await openView(page, hub, 'findings')).toBe('ready');
    const { findings } = await api<{
      findings: { file: string | null; reviewers: string[] }[];
    }>(hub, `/api/findings?${RANGE_QUERY}&limit=1000`);
    expect(findings.length).toBeGreaterThan(5);
    const want = new Map<string, number>();
    for (const f of findings) {
      for (const r of f.reviewers.length ? f.reviewers : ['(unattributed)']) {
        const key = `${f.file ?? '(no file)'}|${r}`;
        want.set(key, (want.get(key) ?? 0) + 1);
      }
    }
    const cells = await page
      .locator('[data-testid="findings-table"] [data-file][data-reviewer][data-count]')
      .evaluateAll((els) =>
        els.map((e) => [
          `${e.getAttribute('data-file')}|${e.getAttribute('data-reviewer')}`,
          Number(e.getAttribute('data-count')),
        ]),
      );
    const shown = new Map(cells.filter(([, n]) => Number(n) > 0) as [string, number][]);
    expect(Object.fromEntries([...shown].sort())).toEqual(Object.fromEntries([...want].sort()));
    expect((await rowKeys(page, 'findings-table')).sort()).toEqual(
      [...new Set(findings.map((f) => f.file ?? '(no file)'))].sort(),
    );
    await page.locator('canvas[data-chart="findings-heatmap"]').waitFor();
    expect(errors).toEqual([]);
  });

  it('knowledge: one row per reviewer of /api/knowledge, with its entry counts', async () => {
    expect(await openView(page, hub, 'knowledge')).toBe('ready');
    const { reviewers } = await api<{
      reviewers: { reviewer: string; entries: number; staleness: { stale_entries: number } }[];
    }>(hub, '/api/knowledge');
    expect(reviewers.length).toBeGreaterThan(1);
    await expectTextsMatchRaw(page, 'knowledge');
    expect((await rowKeys(page, 'knowledge-table')).sort()).toEqual(
      reviewers.map((r) => r.reviewer).sort(),
    );
    const shown = await kpis(page, 'section[data-view="knowledge"]');
    expectKpi(shown, 'reviewers', reviewers.length);
    expectKpi(
      shown,
      'entries',
      reviewers.reduce((n, r) => n + r.entries, 0),
    );
    expectKpi(
      shown,
      'stale_entries',
      reviewers.reduce((n, r) => n + r.staleness.stale_entries, 0),
    );
    expect(errors).toEqual([]);
  });

  it('bypasses: counts, active and past rows, and a countdown that runs', async () => {
    expect(await openView(page, hub, 'bypasses', '')).toBe('ready');
    const want = await api<{
      counts: Record<'active' | 'expired' | 'revoked' | 'total', number>;
      bypasses: { bypass_id: string; status: string; expires_in_seconds: number | null }[];
    }>(hub, '/api/bypasses');
    expect(want.counts).toEqual({ active: 1, expired: 1, revoked: 1, total: 3 });
    const shown = await kpis(page, 'section[data-view="bypasses"]');
    for (const k of ['active', 'expired', 'revoked', 'total'] as const) {
      expectKpi(shown, k, want.counts[k]);
    }
    const active = want.bypasses.filter((b) => b.status === 'active');
    expect(await rowKeys(page, 'bypasses-table')).toEqual(active.map((b) => b.bypass_id));
    expect((await rowKeys(page, 'bypasses-history-table')).sort()).toEqual(
      want.bypasses
        .filter((b) => b.status !== 'active')
        .map((b) => b.bypass_id)
        .sort(),
    );
    const countdown = page.locator(
      `[data-testid="bypasses-table"] [data-row-key="${active[0]?.bypass_id}"] [data-testid="countdown"]`,
    );
    const first = Number(await countdown.getAttribute('data-remaining-seconds'));
    // The fixture's active bypass expires 90 minutes after the workspace was made.
    expect(first).toBeGreaterThan(80 * 60);
    expect(first).toBeLessThanOrEqual(90 * 60);
    expect(Math.abs(first - (active[0]?.expires_in_seconds ?? 0))).toBeLessThan(30);
    const text = await countdown.innerText();
    expect(text).toMatch(/^0?1:[0-5]\d:[0-5]\d$/);
    await expect
      .poll(async () => Number(await countdown.getAttribute('data-remaining-seconds')), {
        timeout: 5_000,
      })
      .toBeLessThan(first);
    expect(await countdown.innerText()).not.toBe(text);
    expect(errors).toEqual([]);
  });

  it('gates: decisions and loops are /api/metrics/quality_gates and /api/metrics/resolution', async () => {
    expect(await openView(page, hub, 'gates')).toBe('ready');
    const g = await api<{
      decisions: number;
      approved: number;
      rejected: number;
      warned: number;
      approval_rate: number | null;
      history: { event_id: string }[];
      gates: { gate: string }[];
    }>(hub, `/api/metrics/quality_gates?${RANGE_QUERY}&limit=500`);
    const r = await api<{ live: { count: number } }>(
      hub,
      `/api/metrics/resolution?${RANGE_QUERY}&limit=200`,
    );
    expect(g.decisions).toBeGreaterThan(3);
    const shown = await kpis(page, 'section[data-view="gates"]');
    expectKpi(shown, 'decisions', g.decisions);
    expectKpi(shown, 'approved', g.approved);
    expectKpi(shown, 'rejected', g.rejected);
    expectKpi(shown, 'warned', g.warned);
    expectKpi(shown, 'approval-rate', g.approval_rate);
    expectKpi(shown, 'live-loops', r.live.count);
    await expectTextsMatchRaw(page, 'gates');
    expect(await rowKeys(page, 'gates-table')).toEqual(g.history.map((d) => d.event_id));
    expect((await rowKeys(page, 'gates-per-gate-table')).sort()).toEqual(
      g.gates.map((x) => x.gate).sort(),
    );
    expect(errors).toEqual([]);
  });

  it('resources: cost per task and providers are /api/metrics/resources', async () => {
    expect(await openView(page, hub, 'resources')).toBe('ready');
    const want = await api<{
      cost_per_task: { tasks: number; estimate_per_task_usd: number | null };
      providers: { provider: string }[];
      samples: unknown[];
    }>(hub, `/api/metrics/resources?${RANGE_QUERY}`);
    expect(want.cost_per_task.tasks).toBeGreaterThan(0);
    const shown = await kpis(page, 'section[data-view="resources"]');
    expectKpi(shown, 'tasks', want.cost_per_task.tasks);
    expectKpi(shown, 'cost-per-task', want.cost_per_task.estimate_per_task_usd);
    expect((await rowKeys(page, 'resources-table')).sort()).toEqual(
      want.providers.map((p) => p.provider).sort(),
    );
    expect(await rowKeys(page, 'resources-samples-table')).toHaveLength(want.samples.length);
    expect(errors).toEqual([]);
  });
});
