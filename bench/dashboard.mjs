// The dashboard's figures for `npm run bench`: what the browser downloads (JS + CSS, gzipped),
// how soon the overview is usable over the 1M-event store in headless Chromium, and how long
// the dashboard's chart module takes to draw a 10,000-point time series.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';

const run = promisify(execFile);

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
const KPIS = ['tasks', 'success_rate', 'avg_duration', 'tokens_in', 'tokens_out', 'cost'];
/** The range bench/run.mjs generates its million events over. */
const OVERVIEW_HASH = '#/overview?since=2026-01-01&until=2026-01-31';
const NAVIGATIONS = 7;
const CHART_POINTS = 10_000;
const CHART_RUNS = 7;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Starts `vigil serve` over the store and resolves once it prints where it listens. */
function startServe(bin, dataDir, watch) {
  const child = spawn(
    process.execPath,
    [bin, '--data-dir', dataDir, 'serve', '--port', '0', '--watch-only', '--watch', watch],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b) => {
      out += b;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`vigil serve exited (${code}): ${err}`)));
  });
}

/** Gzip (level 9) sizes of the JS and CSS the dashboard ships. */
function bundleSize(assets) {
  const files = readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  let raw = 0;
  let gzip = 0;
  const each = [];
  for (const f of files) {
    const bytes = readFileSync(join(assets, f));
    const z = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
    raw += bytes.length;
    gzip += z;
    each.push({ file: f, raw: bytes.length, gzip: z });
  }
  return { files: files.length, raw, gzip, each: each.sort((a, b) => b.gzip - a.gzip) };
}

/**
 * Cold navigations to the overview over the whole generated range: each in a new browser
 * context (empty HTTP cache and storage), each after one event is committed so the hub's
 * cached summaries are dropped and recomputed, as on a live hub. "Usable" is the first
 * animation frame after the overview is ready with all six KPI values in the DOM, in ms since
 * navigation start (the page's own clock: performance.now()).
 */
async function benchOverview(browser, url, log) {
  const times = [];
  let slowest = null;
  for (let i = 0; i < NAVIGATIONS + 1; i++) {
    const res = await fetch(`${url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          event_id: `bench-dashboard-${i}-${Date.now()}`,
          event_type: 'task_end',
          timestamp: '2026-01-15T12:00:00Z',
          task_id: `bench-dashboard-${i}`,
          status: 'success',
          model: 'claude-sonnet-4-5',
          tokens_input: 10,
          tokens_output: 5,
        },
      ]),
    });
    if (!res.ok) throw new Error(`POST /api/events: ${res.status}`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((names) => {
      const ready = () => {
        const view = document.querySelector('section[data-view="overview"][data-state="ready"]');
        return (
          view !== null &&
          names.every((n) => {
            const v = view.querySelector(`[data-kpi="${n}"] [data-value]`);
            return v !== null && v.hasAttribute('data-raw') && (v.textContent ?? '').trim() !== '';
          })
        );
      };
      const observer = new MutationObserver(() => {
        if (!ready()) return;
        observer.disconnect();
        requestAnimationFrame(() => {
          window.vigilBenchUsableAt = performance.now();
        });
      });
      observer.observe(document, { subtree: true, childList: true, attributes: true });
    }, KPIS);
    const page = await context.newPage();
    const requests = [];
    page.on('requestfinished', (r) => {
      // responseEnd is in ms from the request's start.
      const { responseEnd } = r.timing();
      if (new URL(r.url()).pathname.startsWith('/api/') && responseEnd >= 0) {
        requests.push({ path: decodeURIComponent(r.url().slice(url.length)), ms: responseEnd });
      }
    });
    await page.goto(`${url}/${OVERVIEW_HASH}`, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.vigilBenchUsableAt !== undefined, undefined, {
      timeout: 120_000,
      polling: 50,
    });
    const ms = await page.evaluate(() => window.vigilBenchUsableAt);
    await context.close();
    // The first navigation also warms the hub (its first queries over the store): reported
    // apart, not among the cold-browser figures.
    if (i === 0) {
      log(`dashboard: first navigation after the hub started: ${ms.toFixed(0)} ms`);
      slowest = { first: ms };
      continue;
    }
    times.push(ms);
    const worst = requests.sort((a, b) => b.ms - a.ms)[0];
    if (worst && (slowest.request === undefined || worst.ms > slowest.request.ms)) {
      slowest.request = worst;
    }
  }
  return {
    n: times.length,
    median: pct(times, 50),
    worst: Math.max(...times),
    all: times,
    first: slowest.first,
    slowestRequest: slowest.request ?? null,
  };
}

/**
 * The chart figure. The dashboard's chart module (web/src/lib/chart.tsx: Chart.js with the
 * controllers the views register, animation off, theme colours) and its options for long
 * series (web/src/lib/chart-options.ts: timeSeriesOptions(), as the views use for time
 * series) are bundled by Vite into a bench page, served here and loaded in the same headless
 * Chromium. In the page, a Chart.js plugin registered on that same Chart.js records
 * `afterRender`; the figure is from the Preact render of `<Chart>` with 10,000 `{x, y}` points
 * to the first animation frame after Chart.js finished drawing (mount: a new chart; update: new
 * data into the mounted chart, as a live refresh does). Medians and worst of several runs.
 */
async function benchChart(browser, root, work) {
  const dir = join(work, 'dashboard-chart');
  mkdirSync(dir, { recursive: true });
  // Bare imports in the bench page resolve to the project's packages (the same Chart.js and
  // Preact instances the chart module imports).
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const lib = join(root, 'web', 'src', 'lib');
  const styles = join(root, 'web', 'src', 'styles', 'base.css');
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html data-theme="light"><head><meta charset="utf-8"><script type="module" src="./entry.js"></script></head><body><div id="chart" style="width:1200px"></div></body></html>\n',
  );
  writeFileSync(
    join(dir, 'entry.js'),
    `import { h, render } from 'preact';
import { Chart as ChartJs } from 'chart.js';
import { Chart } from ${JSON.stringify(join(lib, 'chart.tsx'))};
import { timeSeriesOptions } from ${JSON.stringify(join(lib, 'chart-options.ts'))};
import ${JSON.stringify(styles)};

let rendered = null;
ChartJs.register({ id: 'vigilBenchTiming', afterRender: () => rendered?.(performance.now()) });

function config(n, seed, decimation) {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const points = new Array(n);
  let y = 100 + seed;
  for (let i = 0; i < n; i++) {
    y = Math.max(0, y + Math.sin(i / 37 + seed) * 8 + ((i * 7919 + seed) % 13) - 6);
    points[i] = { x: start + i * 60_000, y };
  }
  const options = timeSeriesOptions(n * 60_000, 'tokens');
  if (!decimation) options.plugins.decimation = { enabled: false };
  return {
    type: 'line',
    data: { datasets: [{ label: 'tokens', data: points, borderColor: 'var(--series-1)' }] },
    options,
  };
}

const el = document.getElementById('chart');
const draw = (cfg) =>
  new Promise((resolve) => {
    const t0 = performance.now();
    rendered = (t) => {
      rendered = null;
      requestAnimationFrame(() => resolve({ drawn: t - t0, frame: performance.now() - t0 }));
    };
    render(h(Chart, { name: 'bench', config: cfg, height: 320 }), el);
  });

window.vigilBench = {
  mount: (n, seed, decimation = true) => draw(config(n, seed, decimation)),
  update: (n, seed, decimation = true) => draw(config(n, seed, decimation)),
  clear: () => render(null, el),
};
`,
  );
  const { build } = await import('vite');
  await build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    base: './',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: join(dir, 'dist'),
      emptyOutDir: true,
      modulePreload: { polyfill: false },
      target: 'es2022',
    },
  });
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      const body = readFileSync(join(dir, 'dist', path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'text/plain' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.vigilBench !== undefined);
    // One unmeasured draw: the first one also compiles the chart code in the page.
    await page.evaluate((n) => window.vigilBench.mount(n, 0), CHART_POINTS);
    await page.evaluate(() => window.vigilBench.clear());
    const mount = [];
    const update = [];
    const plain = [];
    for (let i = 1; i <= CHART_RUNS; i++) {
      mount.push(await page.evaluate((n) => window.vigilBench.mount(n, 0), CHART_POINTS));
      update.push(
        await page.evaluate((a) => window.vigilBench.update(a.n, a.i), { n: CHART_POINTS, i }),
      );
      await page.evaluate(() => window.vigilBench.clear());
      plain.push(await page.evaluate((n) => window.vigilBench.mount(n, 0, false), CHART_POINTS));
      await page.evaluate(() => window.vigilBench.clear());
    }
    const summary = (xs, key) => ({
      median: pct(
        xs.map((x) => x[key]),
        50,
      ),
      worst: Math.max(...xs.map((x) => x[key])),
    });
    return {
      points: CHART_POINTS,
      runs: CHART_RUNS,
      mount: { drawn: summary(mount, 'drawn'), frame: summary(mount, 'frame') },
      update: { drawn: summary(update, 'drawn'), frame: summary(update, 'frame') },
      undecimated: { frame: summary(plain, 'frame') },
    };
  } finally {
    await context.close();
    server.close();
  }
}

export async function benchDashboard({ root, bin, dataDir, work, log }) {
  log('dashboard: build (npm run build:web)...');
  await run('npm', ['run', 'build:web'], { cwd: root, maxBuffer: 16 << 20 });
  const bundle = bundleSize(join(root, 'dist', 'web', 'assets'));

  const watch = join(work, 'dashboard-watch');
  mkdirSync(watch, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const { child, url } = await startServe(bin, dataDir, watch);
  try {
    log('dashboard: overview, cold navigations over the 1M-event store...');
    const overview = await benchOverview(browser, url, log);
    log('dashboard: 10,000-point chart...');
    const chart = await benchChart(browser, root, work);
    return { bundle, overview, chart };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await browser.close();
  }
}
