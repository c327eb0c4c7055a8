/**
 * The delivery and operations views render from the fixture workspace and show the hub's
 * numbers: each test opens a view over the fixtures' range, reads what the DOM shows (KPI
 * `data-raw` and text, table row keys, Kanban cards, feed items, pages) and compares it with
 * the API route the view reads, fetched by the test with the same filters.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  setFilter,
  type DashboardWorkspace,
  type Hub,
} from './harness.js';
import { expectKpi, expectTextsMatchRaw, num } from './kpi-assertions.js';

let browser: Browser;
let ws: DashboardWorkspace;
let hub: Hub;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  requireDashboardBuild();
  ws = createDashboardWorkspace('vigil-web-views-');
  // The hub reads ./vigil.toml from the folder it runs in: a configured budget for the cost view.
  writeFileSync(join(ws.dir, 'vigil.toml'), '[budget]\ndaily_usd = 3.5\n');
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

interface Summary {
  summary: {
    total_tasks: number;
    success_rate: number | null;
    avg_duration_seconds: number | null;
    tokens_input: number;
    tokens_output: number;
    cost_estimate_usd: number | null;
    cost_reported_usd: number;
  };
  by_model: { model: string | null }[];
}

const modelKey = (m: { model: string | null }) => m.model ?? '(no model)';

describe('dashboard views show the hub numbers', () => {
  it('overview: the six KPIs and the per-model table are /api/summary', async () => {
    expect(await openView(page, hub, 'overview')).toBe('ready');
    const want = await api<Summary>(hub, `/api/summary?${RANGE_QUERY}`);
    expect(want.summary.total_tasks).toBeGreaterThan(40);
    const shown = await kpis(page, 'section[data-view="overview"]');
    expectKpi(shown, 'tasks', want.summary.total_tasks);
    expectKpi(shown, 'success_rate', want.summary.success_rate);
    expectKpi(shown, 'avg_duration', want.summary.avg_duration_seconds);
    expectKpi(shown, 'tokens_in', want.summary.tokens_input);
    expectKpi(shown, 'tokens_out', want.summary.tokens_output);
    expectKpi(shown, 'cost', want.summary.cost_estimate_usd);
    await expectTextsMatchRaw(page, 'overview');
    expect((await rowKeys(page, 'overview-table')).sort()).toEqual(
      want.by_model.map(modelKey).sort(),
    );
    // The model filter narrows every figure to that model.
    await setFilter(page, 'model', 'gpt-5');
    const gpt = await api<Summary>(hub, `/api/summary?${RANGE_QUERY}&model=gpt-5`);
    await expect
      .poll(async () => num((await kpis(page, 'section[data-view="overview"]'))['tasks']))
      .toBe(gpt.summary.total_tasks);
    expectKpi(
      await kpis(page, 'section[data-view="overview"]'),
      'tokens_in',
      gpt.summary.tokens_input,
    );
    expect(errors).toEqual([]);
  });

  it('kanban: each column holds the cards of /api/tasks', async () => {
    expect(await openView(page, hub, 'kanban', '')).toBe('ready');
    const board = await api<Record<'inbox' | 'assigned' | 'done', { task_id: string }[]>>(
      hub,
      '/api/tasks',
    );
    for (const column of ['inbox', 'assigned', 'done'] as const) {
      const ids = await page
        .locator(`[data-column="${column}"] [data-task-id]`)
        .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-task-id') ?? ''));
      expect(ids.sort(), column).toEqual(board[column].map((t) => t.task_id).sort());
      expect(board[column].length, column).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
  });

  it('cost: KPIs, per-model table and charts from /api/summary', async () => {
    expect(await openView(page, hub, 'cost')).toBe('ready');
    const want = await api<Summary>(hub, `/api/summary?${RANGE_QUERY}`);
    const shown = await kpis(page, 'section[data-view="cost"]');
    expectKpi(shown, 'cost_estimate', want.summary.cost_estimate_usd);
    expectKpi(shown, 'cost_reported', want.summary.cost_reported_usd);
    expectKpi(shown, 'tokens_in', want.summary.tokens_input);
    expectKpi(shown, 'tokens_out', want.summary.tokens_output);
    expectKpi(
      shown,
      'cost_per_task',
      (want.summary.cost_estimate_usd ?? 0) / want.summary.total_tasks,
    );
    await expectTextsMatchRaw(page, 'cost');
    expect((await rowKeys(page, 'cost-table')).sort()).toEqual(want.by_model.map(modelKey).sort());
    for (const chart of ['cost-by-day', 'tokens-by-day', 'cost-by-model']) {
      await page.locator(`canvas[data-chart="${chart}"]`).waitFor({ timeout: 15_000 });
    }
    // The configured budget (/api/budget) is drawn until the view's own input overrides it.
    const badge = page.locator('section[data-view="cost"] .badge', { hasText: 'budget' });
    await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toContain('$3.50/day');
    // The by-day charts' data, as the view exports it: one row per day of the range, adding
    // up to the range's totals.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="export-json"]').click(),
    ]);
    const rows = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      breakdown: string;
      tokens_input: number;
      tokens_output: number;
      cost_estimate_usd: number | null;
    }[];
    const days = rows.filter((r) => r.breakdown === 'day');
    expect(days).toHaveLength(28);
    const sum = (pick: (r: (typeof days)[number]) => number) =>
      days.reduce((n, r) => n + pick(r), 0);
    expect(sum((r) => r.tokens_input)).toBe(want.summary.tokens_input);
    expect(sum((r) => r.tokens_output)).toBe(want.summary.tokens_output);
    expect(sum((r) => r.cost_estimate_usd ?? 0)).toBeCloseTo(
      want.summary.cost_estimate_usd ?? 0,
      4,
    );
    expect(errors).toEqual([]);
  });

  it('activity: the feed opens with the latest 50 events of /api/events, newest first', async () => {
    expect(await openView(page, hub, 'activity', '')).toBe('ready');
    const want = await api<{ events: { event_id: string }[] }>(
      hub,
      '/api/events?latest=50&order=desc',
    );
    const ids = await page
      .locator('[data-testid="feed"] [data-event-id]')
      .evaluateAll((items) => items.map((i) => i.getAttribute('data-event-id') ?? ''));
    expect(ids).toEqual(want.events.map((e) => e.event_id));
    expect(errors).toEqual([]);
  });

  it('explorer: pages of /api/events, next and previous, the count, search and the detail', async () => {
    expect(await openView(page, hub, 'explorer')).toBe('ready');
    type EventPage = { events: { event_id: string }[]; next_cursor: string | null };
    const first = await api<EventPage>(hub, `/api/events?${RANGE_QUERY}&order=desc&limit=50`);
    const second = await api<EventPage>(
      hub,
      `/api/events?${RANGE_QUERY}&order=desc&limit=50&cursor=${first.next_cursor}`,
    );
    const { count } = await api<{ count: number }>(hub, `/api/events/count?${RANGE_QUERY}`);
    expect(count).toBeGreaterThan(100);
    const rows = () =>
      page
        .locator('section[data-view="explorer"] [data-event-id]')
        .evaluateAll((r) => r.map((e) => e.getAttribute('data-event-id') ?? ''));
    expect(await rows()).toEqual(first.events.map((e) => e.event_id));
    await expect
      .poll(() => page.locator('[data-testid="page-position"]').first().getAttribute('data-total'))
      .toBe(String(count));

    await page.locator('[data-testid="next-page"]').first().click();
    await expect.poll(rows).toEqual(second.events.map((e) => e.event_id));
    await page.locator('[data-testid="prev-page"]').first().click();
    await expect.poll(rows).toEqual(first.events.map((e) => e.event_id));

    const q = 'Phase transition';
    const found = await api<EventPage>(
      hub,
      `/api/events?${RANGE_QUERY}&order=desc&limit=50&q=${encodeURIComponent(q)}`,
    );
    expect(found.events.length).toBeGreaterThan(0);
    await page.locator('[data-testid="search"]').fill(q);
    await page.locator('[data-testid="search"]').press('Enter');
    await expect.poll(rows).toEqual(found.events.map((e) => e.event_id));
    expect(new URL(page.url()).hash).toContain('q=Phase');

    const id = found.events[0]?.event_id ?? '';
    await page.locator(`[data-event-id="${id}"]`).click();
    const detail = page.locator('[data-testid="event-detail"]');
    await detail.waitFor();
    expect(await detail.innerText()).toContain(id);
    expect(errors).toEqual([]);
  });

  it('sessions: the list is /api/sessions; a row opens that session timeline', async () => {
    expect(await openView(page, hub, 'sessions')).toBe('ready');
    type Session = {
      session_id: string;
      event_count: number;
      tokens_input: number;
      tokens_output: number;
    };
    const { sessions } = await api<{ sessions: Session[] }>(
      hub,
      `/api/sessions?${RANGE_QUERY}&limit=100`,
    );
    expect(sessions.length).toBeGreaterThan(3);
    expect(await rowKeys(page, 'sessions-table')).toEqual(sessions.map((s) => s.session_id));
    await expectTextsMatchRaw(page, 'sessions');
    const shown = await kpis(page, 'section[data-view="sessions"]');
    expectKpi(shown, 'sessions', sessions.length);
    expectKpi(
      shown,
      'events',
      sessions.reduce((n, s) => n + s.event_count, 0),
    );
    expectKpi(
      shown,
      'tokens',
      sessions.reduce((n, s) => n + s.tokens_input + s.tokens_output, 0),
    );

    const id = 'sess_20260216_a1';
    await page.locator(`[data-testid="sessions-table"] [data-row-key="${id}"]`).click();
    await expect.poll(() => new URL(page.url()).hash).toMatch(new RegExp(`^#/sessions/${id}`));
    await page.locator('canvas[data-chart="session-timeline"]').waitFor({ timeout: 15_000 });
    const one = await api<{
      session: { event_count: number };
      timeline: { events: { event_id: string }[] };
    }>(hub, `/api/sessions/${id}?limit=1000`);
    await expect
      .poll(async () => num((await kpis(page, 'section[data-view="sessions"]'))['events']))
      .toBe(one.session.event_count);
    expect(await rowKeys(page, 'session-timeline-table')).toEqual(
      one.timeline.events.map((e) => e.event_id),
    );
    expect(errors).toEqual([]);
  });
});
