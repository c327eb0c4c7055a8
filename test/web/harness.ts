/**
 * Real-browser harness for the dashboard: headless Chromium (Debian's, driven by
 * playwright-core) and the page helpers the tests share; with the fixture workspace
 * (fixture-workspace.ts) and the `vigil serve` child process (hub-process.ts), re-exported.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { REPO } from '../cli/helpers.js';
import type { Hub } from './hub-process.js';
import type { PageWindow } from './page-globals.js';

export * from './fixture-workspace.js';
export * from './hub-process.js';

/** The repository root. */
export const REPO_ROOT = REPO;
export const SCREENSHOTS = join(REPO, 'docs', 'screenshots');
const WEB_INDEX = join(REPO, 'dist', 'web', 'index.html');

/** Every view of the dashboard, in navigation order. */
export const VIEWS = [
  'overview',
  'kanban',
  'cost',
  'reviews',
  'findings',
  'knowledge',
  'bypasses',
  'gates',
  'resources',
  'activity',
  'explorer',
  'sessions',
] as const;

/** The fixtures are dated February 2026: every view is opened over this range. */
export const RANGE = { since: '2026-02-01', until: '2026-02-28' } as const;
export const RANGE_QUERY = `since=${RANGE.since}&until=${RANGE.until}`;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails early, with the fix, when the dashboard has not been built. */
export function requireDashboardBuild(): void {
  if (!existsSync(WEB_INDEX)) {
    throw new Error(
      `${WEB_INDEX} is missing: run \`npm run build:web\` before the dashboard tests`,
    );
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A fresh context: 1280×800, UTC, a colour scheme. */
export function newContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'UTC',
    locale: 'en-US',
    colorScheme: 'dark',
    acceptDownloads: true,
    ...options,
  });
}

const SETTLED = ['ready', 'empty', 'error'].map((s) => `[data-state="${s}"]`).join(',');

/**
 * Opens `/#/<view>?<query>` and waits for the view to settle (ready, empty or error);
 * returns the state it settled in.
 */
export async function openView(
  page: Page,
  hub: Hub,
  view: string,
  query: string = RANGE_QUERY,
): Promise<string> {
  await page.goto(`${hub.url}/#/${view}${query ? `?${query}` : ''}`);
  return settled(page, view);
}

/** Waits for a view already navigated to to settle; returns its data-state. */
export async function settled(page: Page, view: string): Promise<string> {
  const root = page.locator(`section[data-view="${view}"]:is(${SETTLED})`);
  try {
    await root.waitFor({ state: 'attached', timeout: 30_000 });
  } catch (error) {
    // Say what the page shows instead: a view stuck loading, another view, or no app at all.
    const roots = await page
      .locator('section[data-view]')
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-view')}:${e.getAttribute('data-state')}`),
      )
      .catch(() => []);
    const text = (
      await page
        .locator('body')
        .innerText()
        .catch(() => '')
    ).slice(0, 300);
    throw new Error(
      `view ${view} did not settle at ${page.url()}; view roots: [${roots.join(', ')}]; page text: ${JSON.stringify(text)}`,
      { cause: error },
    );
  }
  return (await root.getAttribute('data-state')) ?? '';
}

/** Page errors and console errors, collected for assertions (a view must not throw). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Waits until the connection indicator shows this state (and transport, when given). */
export async function waitForConnection(
  page: Page,
  state: string | readonly string[],
  transport?: string,
  timeoutMs = 30_000,
): Promise<void> {
  const states = typeof state === 'string' ? [state] : state;
  const sel = states
    .map(
      (s) =>
        `[data-testid="connection"][data-state="${s}"]${transport ? `[data-transport="${transport}"]` : ''}`,
    )
    .join(',');
  await page.locator(sel).first().waitFor({ state: 'attached', timeout: timeoutMs });
}

/**
 * Starts recording, in the page, the moment an element matching `selector` first exists
 * (epoch ms, the page's clock: the same system clock as the test's). The observer is installed
 * before the change that should produce the element, so the time is that of the DOM change,
 * not of the test noticing it.
 */
export async function recordAppearance(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = globalThis as unknown as PageWindow;
    const seen = ((w.vigilTest ??= {})['seen'] ??= {}) as Record<string, number>;
    const check = () => {
      if (seen[sel] === undefined && w.document.querySelector(sel)) {
        seen[sel] = w.performance.timeOrigin + w.performance.now();
        observer.disconnect();
      }
    };
    const observer = new w.MutationObserver(check);
    observer.observe(w.document, { subtree: true, childList: true, attributes: true });
    check();
  }, selector);
}

/** Waits for the element recorded by recordAppearance and returns when it appeared. */
export async function appearedAt(
  page: Page,
  selector: string,
  timeoutMs = 15_000,
): Promise<number> {
  await page.waitForSelector(selector, { state: 'attached', timeout: timeoutMs });
  return page.evaluate((sel) => {
    const seen = (globalThis as unknown as PageWindow).vigilTest?.['seen'] as Record<
      string,
      number
    >;
    return seen[sel] ?? Number.NaN;
  }, selector);
}

/** The current epoch time with sub-millisecond precision (comparable with the page's). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** `data-raw` of every KPI tile under `root`, by name. */
export async function kpis(page: Page, root = 'body'): Promise<Record<string, string | null>> {
  return page.evaluate((r) => {
    const { document } = globalThis as unknown as PageWindow;
    const out: Record<string, string | null> = {};
    for (const tile of document.querySelector(r)?.querySelectorAll('[data-kpi]') ?? []) {
      const value = tile.querySelector('[data-value]');
      out[tile.getAttribute('data-kpi') ?? ''] = value?.getAttribute('data-raw') ?? null;
    }
    return out;
  }, root);
}

/** The `data-row-key`s of a table `[data-testid="<name>"]`, in order. */
export async function rowKeys(page: Page, table: string): Promise<string[]> {
  return page
    .locator(`[data-testid="${table}"] [data-row-key]`)
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key') ?? ''));
}

/** Sets a filter control, whatever element it is (input or select), and commits it. */
export async function setFilter(page: Page, name: string, value: string): Promise<void> {
  const el = page.locator(`[data-filter="${name}"]`).first();
  const tag = await el.evaluate((e) => e.tagName.toLowerCase());
  if (tag === 'select') {
    await el.selectOption(value);
  } else {
    await el.fill(value);
    await el.press('Enter');
  }
}

/** Screenshot path for a view and theme. */
export const screenshotPath = (view: string, theme: string) =>
  join(SCREENSHOTS, `${view}-${theme}.png`);
