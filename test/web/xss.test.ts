/**
 * Hostile text stays text (RELIABILITY S5): script tags, event-handler attributes, `javascript:`
 * URLs and attribute break-outs in event fields (message, task id, model, attrs, session id,
 * agent role) and in a task file are shown literally in the activity feed, the explorer's
 * detail panel, the Kanban card and the session timeline; no dialog opens, no element or
 * attribute is injected, no injected script is even attempted (no CSP script violation), and
 * the page is served with a CSP that forbids inline script.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createDashboardWorkspace,
  createHub,
  freePort,
  launchBrowser,
  newContext,
  openView,
  RANGE_QUERY,
  requireDashboardBuild,
  settled,
  waitForConnection,
  type DashboardWorkspace,
  type Hub,
} from './harness.js';
import type { PageScript, PageWindow } from './page-globals.js';

const P = {
  script: '<script>alert("xss-script")</script>',
  img: '<img src=x onerror=alert("xss-img")>',
  js: 'javascript:alert("xss-js")',
  svg: '"><svg onload=alert("xss-svg")>',
} as const;

const SESSION = `xss-sess-<img src=x onerror=alert("xss-session")>`;
const TASK = `T-"><svg onload=alert("xss-task")>`;
const ROLE = `<img src=x onerror=alert("xss-role")>`;
const MODEL = `gpt-<script>alert("xss-model")</script>`;
const MESSAGE = `Build failed: ${P.script} ${P.img}`;
const BOARD_ID = `B-"><img src=x onerror=alert("xss-card")>`;
const BOARD_TITLE = `<script>alert("xss-title")</script> ${P.svg}`;

const EVENTS = [
  {
    event_id: 'xss-event-1',
    event_type: 'task_start',
    timestamp: '2026-02-20T12:00:00Z',
    task_id: TASK,
    session_id: SESSION,
    agent_role: ROLE,
    model: MODEL,
    status: 'started',
    error_message: MESSAGE,
    attrs: { homepage: P.js, html: P.svg, nested: { note: P.img } },
  },
  {
    event_id: 'xss-event-2',
    event_type: 'error',
    timestamp: '2026-02-20T12:00:05Z',
    task_id: TASK,
    session_id: SESSION,
    agent_role: ROLE,
    model: MODEL,
    error_message: `${P.svg} ${P.js}`,
    attrs: { link: P.js },
  },
];

let browser: Browser;
let ws: DashboardWorkspace;
let hub: Hub;

beforeAll(async () => {
  requireDashboardBuild();
  ws = createDashboardWorkspace('vigil-web-xss-');
  hub = createHub(ws, await freePort());
  await hub.start();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
  ws?.cleanup();
});

interface Watch {
  page: Page;
  context: BrowserContext;
  dialogs: string[];
  violations: () => Promise<string[]>;
}

/** A page that records dialogs and CSP script violations from before its first script runs. */
async function watchedPage(): Promise<Watch> {
  const context = await newContext(browser);
  await context.addInitScript(() => {
    const w = globalThis as unknown as PageWindow;
    const violations: string[] = [];
    (w.vigilTest ??= {})['violations'] = violations;
    w.document.addEventListener('securitypolicyviolation', (e) => {
      if (e.effectiveDirective.startsWith('script-src')) {
        violations.push(`${e.effectiveDirective}: ${e.sample || e.blockedURI}`);
      }
    });
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return {
    page,
    context,
    dialogs,
    violations: () =>
      page.evaluate(
        () => ((globalThis as unknown as PageWindow).vigilTest?.['violations'] as string[]) ?? [],
      ),
  };
}

/**
 * Elements and attributes the payloads would create if any were parsed as HTML: event-handler
 * attributes, `javascript:` URLs in URL attributes, `<img src=x>`, any `<svg>` carrying a
 * handler, and inline scripts (the app ships only external module scripts).
 */
function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    const found: string[] = [];
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) found.push(`<${el.localName} ${a.name}="${a.value}">`);
        if (
          /^(href|src|action|formaction|xlink:href|data)$/i.test(a.name) &&
          /^\s*javascript:/i.test(a.value)
        ) {
          found.push(`<${el.localName} ${a.name}="${a.value}">`);
        }
      }
    }
    for (const img of document.querySelectorAll('img')) {
      if (img.getAttribute('src') === 'x') found.push('<img src=x>');
    }
    for (const s of document.querySelectorAll('script') as Iterable<PageScript>) {
      if (!s.src) found.push(`inline <script>${s.textContent}</script>`);
    }
    return found;
  });
}

/** The visible text of an element. */
const textOf = (page: Page, selector: string) => page.locator(selector).first().innerText();

async function expectInert(w: Watch, where: string): Promise<void> {
  expect(await injected(w.page), `${where}: injected markup`).toEqual([]);
  expect(w.dialogs, `${where}: dialogs`).toEqual([]);
  expect(await w.violations(), `${where}: CSP script violations`).toEqual([]);
}

async function postEvents(): Promise<void> {
  const res = await fetch(`${hub.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(EVENTS),
  });
  expect(res.status).toBe(200);
}

describe('dashboard, hostile text', () => {
  it('is served with a CSP that forbids inline script, and no inline script in the page', async () => {
    const w = await watchedPage();
    try {
      const res = await w.page.goto(`${hub.url}/`);
      const csp = res?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/default-src 'self'/);
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)?.[1];
      expect(scriptSrc).toBeDefined();
      expect(scriptSrc).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|data:/);
      expect(csp).toMatch(/object-src 'none'/);
      const html = await (await fetch(`${hub.url}/`)).text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/\son[a-z]+=/i);
    } finally {
      await w.context.close();
    }
  });

  it('keeps payloads inert and literal in the activity feed', async () => {
    const w = await watchedPage();
    try {
      await openView(w.page, hub, 'activity', '');
      await waitForConnection(w.page, 'live');
      await postEvents();
      for (const e of EVENTS) {
        await w.page
          .locator(`[data-testid="feed"] [data-event-id="${e.event_id}"]`)
          .waitFor({ state: 'attached', timeout: 15_000 });
      }
      const feed = await textOf(w.page, '[data-testid="feed"]');
      expect(feed).toContain(MESSAGE);
      expect(feed).toContain(P.svg);
      await expectInert(w, 'activity feed');
    } finally {
      await w.context.close();
    }
  });

  it('keeps payloads inert and literal in the explorer and its detail panel', async () => {
    const w = await watchedPage();
    try {
      await postEvents();
      await openView(
        w.page,
        hub,
        'explorer',
        `${RANGE_QUERY}&session=${encodeURIComponent(SESSION)}`,
      );
      const row = w.page.locator('[data-event-id="xss-event-1"]').first();
      await row.waitFor({ timeout: 15_000 });
      await row.click();
      const detail = w.page.locator('[data-testid="event-detail"]');
      await detail.waitFor();
      const text = await detail.innerText();
      for (const literal of [MESSAGE, TASK, SESSION, ROLE, MODEL]) {
        expect(text, 'event detail').toContain(literal);
      }
      // Attributes are shown as JSON: the payloads with their quotes escaped.
      for (const literal of [P.js, P.svg, P.img]) {
        expect(text, 'event detail attrs').toContain(JSON.stringify(literal).slice(1, -1));
      }
      await expectInert(w, 'explorer');
    } finally {
      await w.context.close();
    }
  });

  it('keeps payloads inert and literal on a Kanban card', async () => {
    const w = await watchedPage();
    try {
      await openView(w.page, hub, 'kanban', '');
      await waitForConnection(w.page, 'live');
      writeFileSync(
        join(ws.board, 'inbox', 'xss-card.yaml'),
        [
          `id: '${BOARD_ID.replaceAll("'", "''")}'`,
          `title: '${BOARD_TITLE.replaceAll("'", "''")}'`,
          `agent: '${ROLE.replaceAll("'", "''")}'`,
          `description: '${P.js}'`,
          `priority: high`,
          `status: new`,
          `created_at: "2026-02-20T12:00:00Z"`,
          '',
        ].join('\n'),
      );
      const card = w.page.locator('[data-column="inbox"] [data-task-id]').filter({
        hasText: 'alert("xss-title")',
      });
      await card.first().waitFor({ timeout: 15_000 });
      expect(await card.first().getAttribute('data-task-id')).toBe(BOARD_ID);
      const text = await card.first().innerText();
      expect(text).toContain('<script>alert("xss-title")</script>');
      expect(text).toContain(ROLE);
      await expectInert(w, 'kanban');
    } finally {
      await w.context.close();
    }
  });

  it('keeps payloads inert and literal in the session timeline', async () => {
    const w = await watchedPage();
    try {
      await postEvents();
      await w.page.goto(`${hub.url}/#/sessions/${encodeURIComponent(SESSION)}`);
      await w.page.locator('canvas[data-chart="session-timeline"]').waitFor({ timeout: 20_000 });
      const view = (await w.page
        .locator('section[data-view^="session"]')
        .first()
        .getAttribute('data-view'))!;
      expect(await settled(w.page, view)).toBe('ready');
      const body = await w.page.locator('body').innerText();
      for (const literal of [SESSION, TASK, MESSAGE, MODEL]) expect(body).toContain(literal);
      await expectInert(w, 'session timeline');
    } finally {
      await w.context.close();
    }
  });
});
