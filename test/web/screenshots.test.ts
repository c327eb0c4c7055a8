/**
 * Screenshots of every view in both themes at 1280×800, from the fixture workspace, written to
 * docs/screenshots/<view>-<theme>.png (overwritten each run; docs/dashboard.md links them).
 * Each view must settle ready, in the theme asked for, without a page error.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  collectErrors,
  createDashboardWorkspace,
  createHub,
  freePort,
  launchBrowser,
  newContext,
  RANGE_QUERY,
  requireDashboardBuild,
  SCREENSHOTS,
  screenshotPath,
  VIEWS,
  REPO_ROOT,
  type DashboardWorkspace,
  type Hub,
} from './harness.js';
import type { PageCanvas, PageWindow } from './page-globals.js';

let browser: Browser;
let ws: DashboardWorkspace;
let hub: Hub;

beforeAll(async () => {
  requireDashboardBuild();
  ws = createDashboardWorkspace('vigil-web-shots-');
  hub = createHub(ws, await freePort());
  await hub.start();
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
  ws?.cleanup();
});

/** The session whose timeline is shown: the VibeForge session with the most events. */
const TIMELINE_SESSION = 'sess_20260216_a1';

/** Waits until every chart canvas draws the same pixels on two consecutive frames. */
async function chartsStill(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = globalThis as unknown as PageWindow;
      const store = (w.vigilTest ??= {});
      const now = [...(w.document.querySelectorAll('canvas') as Iterable<PageCanvas>)]
        .map((c) => {
          const url = c.toDataURL();
          return `${c.width}x${c.height}:${url.length}:${url.slice(-64)}`;
        })
        .join('|');
      const same = store['canvases'] === now;
      store['canvases'] = now;
      return same;
    },
    undefined,
    { polling: 'raf', timeout: 20_000 },
  );
}

const TARGETS: { name: string; route: string; view: string }[] = [
  ...VIEWS.map((v) => ({ name: v, route: v, view: v })),
  {
    name: 'session-timeline',
    route: `sessions/${TIMELINE_SESSION}`,
    view: 'sessions',
  },
];

describe('dashboard screenshots', () => {
  for (const theme of ['dark', 'light'] as const) {
    it(`shows every view in the ${theme} theme`, async () => {
      const context = await newContext(browser, { colorScheme: theme });
      // The app must work under its own CSP: nothing it does may be blocked.
      await context.addInitScript(() => {
        const w = globalThis as unknown as PageWindow;
        const violations: string[] = [];
        (w.vigilTest ??= {})['violations'] = violations;
        w.document.addEventListener('securitypolicyviolation', (e) =>
          violations.push(`${e.effectiveDirective}: ${e.sample || e.blockedURI}`),
        );
      });
      const page = await context.newPage();
      const violations = () =>
        page.evaluate(
          () => ((globalThis as unknown as PageWindow).vigilTest?.['violations'] as string[]) ?? [],
        );
      const errors = collectErrors(page);
      const notReady: string[] = [];
      try {
        for (const t of TARGETS) {
          await page.goto(`${hub.url}/#/${t.route}?${RANGE_QUERY}`);
          // The timeline's root is the sessions view, or named after its route.
          const root = page
            .locator(
              [t.view, t.route]
                .map((v) => `section[data-view="${v}"]:not([data-state="loading"])`)
                .join(', '),
            )
            .first();
          await root.waitFor({ state: 'attached', timeout: 30_000 });
          const state = await root.getAttribute('data-state');
          if (state !== 'ready') notReady.push(`${t.name}: ${state}`);
          expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
          await chartsStill(page);
          expect(await violations(), `${t.name}: CSP violations`).toEqual([]);
          const path = screenshotPath(t.name, theme);
          await page.screenshot({ path });
          expect(statSync(path).size).toBeGreaterThan(5_000);
        }
        expect(notReady).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('are all linked from the Screenshots section of docs/dashboard.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'dashboard.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Screenshots'));
    expect(doc).toContain('## Screenshots');
    for (const t of TARGETS) {
      for (const theme of ['dark', 'light']) {
        expect(section).toContain(`(screenshots/${t.name}-${theme}.png)`);
      }
    }
  });
});
