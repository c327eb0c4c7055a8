/**
 * The dashboard's shell: themes (system and toggle), URL state, a phone viewport, keyboard
 * navigation and client-side exports.
 */
import { readFileSync } from 'node:fs';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../cli/helpers.js';
import {
  api,
  collectErrors,
  createDashboardWorkspace,
  createHub,
  freePort,
  launchBrowser,
  newContext,
  openView,
  RANGE_QUERY,
  requireDashboardBuild,
  rowKeys,
  setFilter,
  settled,
  VIEWS,
  type DashboardWorkspace,
  type Hub,
} from './harness.js';
import type { PageWindow } from './page-globals.js';

let browser: Browser;
let ws: DashboardWorkspace;
let hub: Hub;

beforeAll(async () => {
  requireDashboardBuild();
  ws = createDashboardWorkspace('vigil-web-ui-');
  hub = createHub(ws, await freePort());
  await hub.start();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
  ws?.cleanup();
});

const theme = (page: Page) => page.locator('html').getAttribute('data-theme');
const background = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as PageWindow;
    return w.getComputedStyle(w.document.body).backgroundColor;
  });

describe('dashboard shell', () => {
  it('follows the system colour scheme, and the toggle switches and keeps the choice', async () => {
    const dark = await newContext(browser, { colorScheme: 'dark' });
    const light = await newContext(browser, { colorScheme: 'light' });
    try {
      const d = await dark.newPage();
      const l = await light.newPage();
      await openView(d, hub, 'overview');
      await openView(l, hub, 'overview');
      expect(await theme(d)).toBe('dark');
      expect(await theme(l)).toBe('light');
      const darkBg = await background(d);
      const lightBg = await background(l);
      expect(darkBg).not.toBe(lightBg);

      // The system scheme changing while the page is open is followed.
      await l.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(() => theme(l)).toBe('dark');
      await l.emulateMedia({ colorScheme: 'light' });
      await expect.poll(() => theme(l)).toBe('light');

      // The toggle overrides the system scheme, repaints, and survives a reload.
      await d.locator('[data-testid="theme-toggle"]').click();
      await expect.poll(() => theme(d)).toBe('light');
      await expect.poll(() => background(d)).toBe(lightBg);
      await d.reload();
      await settled(d, 'overview');
      expect(await theme(d)).toBe('light');
      await d.locator('[data-testid="theme-toggle"]').click();
      await expect.poll(() => theme(d)).toBe('dark');
      await expect.poll(() => background(d)).toBe(darkBg);
    } finally {
      await dark.close();
      await light.close();
    }
  });

  it('keeps the view and filters in the URL: a reload restores them, a filter change updates it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = collectErrors(page);
    try {
      const model = 'claude-sonnet-4-5';
      await openView(page, hub, 'explorer', `${RANGE_QUERY}&model=${model}`);
      expect(await page.locator('[data-filter="model"]').inputValue()).toBe(model);
      expect(await page.locator('[data-filter="since"]').inputValue()).toBe('2026-02-01');
      await page.reload();
      expect(await settled(page, 'explorer')).toBe('ready');
      expect(await page.locator('[data-filter="model"]').inputValue()).toBe(model);
      expect(await page.locator('[data-filter="until"]').inputValue()).toBe('2026-02-28');

      await setFilter(page, 'session', 'kpi-session-1');
      await expect
        .poll(() => new URL(page.url()).hash)
        .toMatch(/^#\/explorer\?.*session=kpi-session-1/);
      const hash = new URL(page.url()).hash;
      expect(hash).toContain(`model=${model}`);
      expect(hash).toContain('since=2026-02-01');
      // The view follows the URL: only that session's events of that model are listed.
      const expected = await api<{ events: { event_id: string }[] }>(
        hub,
        `/api/events?${RANGE_QUERY}&model=${model}&session=kpi-session-1&limit=1000`,
      );
      expect(expected.events.length).toBeGreaterThan(0);
      await expect
        .poll(() => page.locator('section[data-view="explorer"] [data-event-id]').count())
        .toBe(expected.events.length);

      // A link shared with the filters opens the same state in a fresh page.
      const other = await context.newPage();
      await other.goto(page.url());
      expect(await settled(other, 'explorer')).toBe('ready');
      expect(await other.locator('[data-filter="session"]').inputValue()).toBe('kpi-session-1');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen (390×844) without horizontal overflow in any view', async () => {
    const context = await newContext(browser, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const page = await context.newPage();
    try {
      const overflowing: string[] = [];
      for (const view of VIEWS) {
        const state = await openView(page, hub, view);
        expect(state, view).toMatch(/ready|empty/);
        const { scroll, width } = await page.evaluate(() => {
          const w = globalThis as unknown as PageWindow;
          return {
            scroll: Math.max(w.document.documentElement.scrollWidth, w.document.body.scrollWidth),
            width: w.innerWidth,
          };
        });
        if (scroll > width) overflowing.push(`${view}: ${scroll}px wide in ${width}px`);
      }
      expect(overflowing).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reaches every navigation link with Tab, and Enter on one opens its view', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await openView(page, hub, 'overview');
      const reached = new Set<string>();
      for (let i = 0; i < 80 && reached.size < VIEWS.length; i++) {
        await page.keyboard.press('Tab');
        const nav = await page.evaluate(() =>
          (globalThis as unknown as PageWindow).document.activeElement?.getAttribute('data-nav'),
        );
        if (nav) reached.add(nav);
        if (nav === 'findings') {
          await page.keyboard.press('Enter');
          await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/findings/);
          await settled(page, 'findings');
          // Focus stays on the link (or moves into the view), so Tab continues from there.
          await page.locator('a[data-nav="findings"]').focus();
        }
      }
      expect([...reached].sort()).toEqual([...VIEWS].sort());
    } finally {
      await context.close();
    }
  });

  it('exports the rows a table shows as CSV and JSON', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      expect(await openView(page, hub, 'bypasses')).toBe('ready');
      const keys = [
        ...(await rowKeys(page, 'bypasses-table')),
        ...(await rowKeys(page, 'bypasses-history-table')),
      ];
      const listed = await api<{ bypasses: { id: string; task_id: string }[] }>(
        hub,
        '/api/bypasses',
      );
      expect(keys.length).toBe(listed.bypasses.length);

      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-testid="export-csv"]').click(),
      ]);
      expect(csv.suggestedFilename()).toMatch(/\.csv$/);
      const rows = parseCsv(readFileSync((await csv.path())!, 'utf8'));
      expect(rows.length).toBe(keys.length + 1);
      const header = rows[0] ?? [];
      const taskCol = header.indexOf('task_id');
      expect(taskCol).toBeGreaterThanOrEqual(0);
      expect(
        rows
          .slice(1)
          .map((r) => r[taskCol])
          .sort(),
      ).toEqual(listed.bypasses.map((b) => b.task_id).sort());

      const [json] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-testid="export-json"]').click(),
      ]);
      expect(json.suggestedFilename()).toMatch(/\.json$/);
      const items = JSON.parse(readFileSync((await json.path())!, 'utf8')) as {
        task_id: string;
      }[];
      expect(items.map((b) => b.task_id).sort()).toEqual(
        listed.bypasses.map((b) => b.task_id).sort(),
      );
    } finally {
      await context.close();
    }
  });
});
