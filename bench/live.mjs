// The live hub's figures for `npm run bench`: append → SSE latency (one client, then 500),
// request rates (/healthz, /api/summary), /metrics scrape time and idle RSS, against a
// `vigil serve` process holding the store the ingest benchmark filled.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

import autocannon from 'autocannon';

const now = () => performance.timeOrigin + performance.now();
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);

/** Starts `vigil serve` and resolves once it prints where it listens. */
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
      if (m) resolve({ child, url: m[1], stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`vigil serve exited (${code}): ${err}`)));
  });
}

/** Polls until fn() is truthy or the deadline passes. */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function get(url, path) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    request(`${url}${path}`, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ ms: now() - t0, status: res.statusCode, body: Buffer.concat(chunks).toString() }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * An SSE client that counts the events it receives and records latency: receipt time minus
 * the `sent_at` stamp, for every event (`perEvent`), or for the oldest event of each chunk read
 * from the socket (the one that waited longest), which keeps 500 clients in one process cheap.
 */
function sseClient(url, { perEvent }) {
  const client = { latencies: [], received: 0, req: null, ready: null };
  client.ready = new Promise((resolve, reject) => {
    client.req = request(`${url}/api/events/stream`, { agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`SSE status ${res.statusCode}`));
      resolve();
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const t = now();
        const text = rest + chunk;
        const end = text.lastIndexOf('\n\n');
        if (end === -1) {
          rest = text;
          return;
        }
        rest = text.slice(end + 2);
        let from = 0;
        for (;;) {
          const at = text.indexOf('"sent_at":', from);
          if (at === -1 || at > end) break;
          if (perEvent || from === 0) {
            client.latencies.push(t - Number.parseFloat(text.slice(at + 10, at + 40)));
          }
          client.received += 1;
          from = at + 10;
        }
      });
    });
    client.req.on('error', reject);
    client.req.end();
  });
  return client;
}

/** Appends `rate` KPI lines per second for `seconds`, each stamped with its write time. */
async function appendAtRate(file, rate, seconds) {
  const total = rate * seconds;
  const t0 = performance.now();
  let written = 0;
  while (written < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    let lines = '';
    for (; written < due; written++) {
      lines += `${JSON.stringify({
        event_id: randomUUID(),
        event_type: 'task_end',
        timestamp: new Date().toISOString(),
        task_id: `live-${written}`,
        status: 'success',
        model: 'claude-sonnet-4-5',
        tokens_input: 10,
        tokens_output: 5,
        sent_at: now(),
      })}\n`;
    }
    if (lines) appendFileSync(file, lines);
    await new Promise((r) => setTimeout(r, 1));
  }
  return total;
}

/** How long the hub idles before its resident memory is read. */
const IDLE_SETTLE_MS = 15_000;

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function requestRate(url, path, seconds, connections) {
  const r = await autocannon({ url: `${url}${path}`, connections, duration: seconds });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

export async function benchLive({ bin, dataDir, work, log }) {
  const liveDir = join(work, 'live');
  mkdirSync(liveDir, { recursive: true });
  const file = join(liveDir, 'kpis.jsonl');
  writeFileSync(file, '');
  const server = await startServe(bin, dataDir, join(liveDir, '*.jsonl'));
  const { url, child } = server;
  try {
    await until(async () => (await get(url, '/healthz')).status === 200, 30_000, 'the hub');
    // Idle: the hub has opened the 1M-event store and started; sample RSS once it has been
    // idle for IDLE_SETTLE_MS (a health check a second, as a monitor would send).
    log('live: idle RSS...');
    const samples = [];
    const settleEnd = Date.now() + IDLE_SETTLE_MS;
    while (Date.now() < settleEnd) {
      await get(url, '/healthz');
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (let i = 0; i < 5; i++) {
      await get(url, '/healthz');
      samples.push(rssMiB(child.pid));
      await new Promise((r) => setTimeout(r, 300));
    }
    const idleRss = Math.max(...samples);

    log('live: /metrics scrape...');
    await get(url, '/metrics');
    const scrapes = [];
    for (let i = 0; i < 50; i++) {
      const r = await get(url, '/metrics');
      if (r.status !== 200) throw new Error(`/metrics: ${r.status}`);
      scrapes.push(r.ms);
    }
    const scrape = median(scrapes);

    log('live: request rates (autocannon)...');
    const healthz = await requestRate(url, '/healthz', 8, 10);
    const summaryPath = '/api/summary?since=2026-01-01&until=2026-01-31';
    const summary = await requestRate(url, summaryPath, 8, 10);

    // The first write after start loads the store's dedupe index (about 0.3 s for 1M events);
    // latency is measured after one warm-up line has been stored.
    const warm = sseClient(url, { perEvent: true });
    await warm.ready;
    await appendAtRate(file, 1, 1);
    await until(() => warm.received >= 1, 30_000, 'the warm-up line');
    warm.req.destroy();

    log('live: append → SSE, 1 client at 1,000 lines/s...');
    const one = sseClient(url, { perEvent: true });
    await one.ready;
    const n1 = await appendAtRate(file, 1000, 10);
    await until(() => one.received >= n1, 30_000, 'one client to receive every line');
    one.req.destroy();

    log('live: append → SSE, 500 clients at 1,000 lines/s...');
    const many = Array.from({ length: 500 }, () => sseClient(url, { perEvent: false }));
    await Promise.all(many.map((c) => c.ready));
    const n2 = await appendAtRate(file, 1000, 10);
    await until(
      () => many.every((c) => c.received >= n2),
      60_000,
      'every client to receive every line',
    ).catch(() => {});
    const complete = many.filter((c) => c.received === n2).length;
    const all = many.flatMap((c) => c.latencies);
    for (const c of many) c.req.destroy();
    return {
      idleRss,
      scrape,
      healthz,
      summary,
      one: { n: n1, p50: pct(one.latencies, 50), p99: pct(one.latencies, 99) },
      many: { n: n2, clients: many.length, complete, p50: pct(all, 50), p99: pct(all, 99) },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
