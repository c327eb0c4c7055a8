/**
 * Transport fallbacks: with the WebSocket refused the dashboard streams over SSE; with SSE
 * refused as well it polls; either way appended events still reach the activity feed, and the
 * connection indicator names the transport in use.
 */
import { appendFileSync } from 'node:fs';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createDashboardWorkspace,
  createHub,
  freePort,
  kpiLine,
  launchBrowser,
  newContext,
  openView,
  requireDashboardBuild,
  waitForConnection,
  type DashboardWorkspace,
  type Hub,
} from './harness.js';
import type { PageWindow } from './page-globals.js';

let browser: Browser;
let ws: DashboardWorkspace;
let hub: Hub;

beforeAll(async () => {
  requireDashboardBuild();
  ws = createDashboardWorkspace('vigil-web-fallback-');
  hub = createHub(ws, await freePort());
  await hub.start();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
  ws?.cleanup();
});

/**
 * Refuses the page's WebSocket upgrades the way a proxy without WebSocket support does: every
 * WebSocket the page opens to `/ws` or `/dashboard` goes to a path the hub answers with a
 * plain 404, so the handshake really fails (an `error`, then `close` 1006).
 */
async function refuseWebSockets(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = globalThis as unknown as PageWindow;
    const Real = w.WebSocket as new (url: string, protocols?: string | string[]) => object;
    const Refused = function (url: string | URL, protocols?: string | string[]) {
      const u = new URL(String(url), w.location.href);
      if (/^\/(ws|dashboard)\/?$/.test(u.pathname)) u.pathname = '/ws-refused-by-proxy';
      return new Real(u.toString(), protocols);
    } as unknown as { prototype: unknown };
    Object.assign(Refused, {
      CONNECTING: 0,
      OPEN: 1,
      CLOSING: 2,
      CLOSED: 3,
    });
    Refused.prototype = Real.prototype;
    w.WebSocket = Refused;
  });
}

/** Refuses every Server-Sent Events stream the page opens. */
async function refuseEventStreams(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.route(/\/stream(\?|$)/, (route) => {
    refused.push(route.request().url());
    return route.abort('connectionrefused');
  });
  return refused;
}

const feedItem = (id: string) => `[data-testid="feed"] [data-event-id="${id}"]`;

/** Waits for a line's event in the feed; a timeout names the line. */
async function expectInFeed(
  page: Page,
  line: { id: string; task: string },
  timeoutMs: number,
): Promise<void> {
  await page
    .locator(feedItem(line.id))
    .waitFor({ state: 'attached', timeout: timeoutMs })
    .catch((error: unknown) => {
      throw new Error(`${line.task} (event ${line.id}) never reached the feed`, { cause: error });
    });
  expect(await page.locator(feedItem(line.id)).count(), line.task).toBe(1);
}

describe('dashboard transport fallbacks', () => {
  it('streams over SSE when the WebSocket is refused, and events still arrive', async () => {
    const context = await newContext(browser);
    await refuseWebSockets(context);
    const page = await context.newPage();
    try {
      const sockets: string[] = [];
      page.on('websocket', (s) => sockets.push(s.url()));
      await openView(page, hub, 'activity', '');
      await waitForConnection(page, 'live', 'sse', 60_000);
      // The page did try the WebSocket first.
      expect(sockets.some((u) => /\/ws-refused-by-proxy/.test(u))).toBe(true);
      const lines = [
        kpiLine('fallback-sse-now'),
        kpiLine('fallback-sse-late', Date.now() - 3_600_000),
      ];
      for (const l of lines) appendFileSync(ws.kpiFile, l.line);
      for (const l of lines) await expectInFeed(page, l, 10_000);
    } finally {
      await context.close();
    }
  });

  it('polls when the WebSocket and SSE are both refused, and events still arrive', async () => {
    const context = await newContext(browser);
    await refuseWebSockets(context);
    const refused = await refuseEventStreams(context);
    const page = await context.newPage();
    try {
      await openView(page, hub, 'activity', '');
      await waitForConnection(page, 'live', 'polling', 90_000);
      expect(refused.length).toBeGreaterThan(0);
      // A line stamped now, then one stamped an hour ago (a task_start written late, a
      // backfilled log): both are new events and both must reach the feed.
      const lines = [
        kpiLine('fallback-polling-now'),
        kpiLine('fallback-polling-late', Date.now() - 3_600_000),
      ];
      for (const l of lines) appendFileSync(ws.kpiFile, l.line);
      for (const l of lines) await expectInFeed(page, l, 30_000);
    } finally {
      await context.close();
    }
  });
});
