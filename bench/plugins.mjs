// The plugin figures for `npm run bench` (and `node bench/plugins.mjs` on its own, which
// rewrites only the Plugins section of docs/BENCHMARKS.md): what plugins cost the hub. With no
// plugin enabled the host subscribes nothing, so the hub's commit path is the one it has
// without plugins; one no-op third-party plugin, subscribed to every event, is the contrast.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const now = () => performance.timeOrigin + performance.now();
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (n, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const NOOP = {
  'plugin.toml':
    '[plugin]\nname = "noop"\nversion = "0.1.0"\nentry_point = "index.js"\n\n[plugin.events]\nsubscribes = ["*"]\n',
  'index.js': 'export default { onEvent() {} };\n',
};

function startServe(bin, dir) {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--watch-only', '--watch', 'kpis.jsonl'],
    {
      cwd: dir,
      env: {
        ...process.env,
        TZ: 'UTC',
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, '.config'),
        VIGIL_DATA_DIR: join(dir, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b) => {
      out += b;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('auth')) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`vigil serve exited (${code}): ${err}`)));
  });
}

async function until(fn, ms, what) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function http(url, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: body ? 'POST' : 'GET',
        agent: false,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One SSE client recording append → receipt latency from each event's `sent_at`. */
function sse(url) {
  const c = { latencies: [], received: 0, req: null };
  c.ready = new Promise((resolve, reject) => {
    c.req = request(`${url}/api/events/stream`, { agent: false }, (res) => {
      resolve();
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const t = now();
        const text = rest + chunk;
        const end = text.lastIndexOf('\n\n');
        if (end === -1) return void (rest = text);
        rest = text.slice(end + 2);
        for (const m of text.slice(0, end).matchAll(/"sent_at":([\d.]+)/g)) {
          c.latencies.push(t - Number(m[1]));
          c.received += 1;
        }
      });
    });
    c.req.on('error', reject);
    c.req.end();
  });
  return c;
}

const kpi = (i) =>
  JSON.stringify({
    event_id: randomUUID(),
    event_type: 'task_end',
    timestamp: new Date().toISOString(),
    task_id: `p-${i}`,
    status: 'success',
    model: 'claude-sonnet-4-5',
    sent_at: now(),
  });

async function appendAtRate(file, rate, seconds) {
  const total = rate * seconds;
  const t0 = performance.now();
  let written = 0;
  while (written < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    let lines = '';
    for (; written < due; written++) lines += `${kpi(written)}\n`;
    if (lines) appendFileSync(file, lines);
    await new Promise((r) => setTimeout(r, 1));
  }
  return total;
}

async function scenario(bin, dir, withPlugin, log) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kpis.jsonl');
  writeFileSync(file, '');
  if (withPlugin) {
    for (const [name, text] of Object.entries(NOOP)) {
      mkdirSync(join(dir, '.vigil', 'plugins', 'noop'), { recursive: true });
      writeFileSync(join(dir, '.vigil', 'plugins', 'noop', name), text);
    }
    mkdirSync(join(dir, 'data', 'plugins'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'plugins', 'enabled.json'),
      JSON.stringify({ version: 1, plugins: { noop: { enabled: true, changed_at: '' } } }),
    );
  }
  const { child, url } = await startServe(bin, dir);
  const cursor = async () =>
    JSON.parse((await http(url, '/api/plugins')).body).plugins.find((p) => p.name === 'noop')
      ?.cursor ?? 0;
  const lastSeq = async () => JSON.parse((await http(url, '/healthz')).body).lastSeq;
  try {
    if (withPlugin)
      await until(
        async () =>
          JSON.parse((await http(url, '/api/plugins')).body).plugins.find((p) => p.name === 'noop')
            ?.state === 'running',
        30_000,
        'the plugin',
      );
    // Warm-up: the first write loads the dedupe index.
    const warm = sse(url);
    await warm.ready;
    await appendAtRate(file, 1, 1);
    await until(() => warm.received >= 1, 30_000, 'the warm-up line');
    warm.req.destroy();

    log(
      `plugins: ${withPlugin ? 'one no-op plugin' : 'no plugins'}: append → SSE at 1,000 lines/s...`,
    );
    const one = sse(url);
    await one.ready;
    const n = await appendAtRate(file, 1000, 5);
    await until(() => one.received >= n, 30_000, 'every line');
    one.req.destroy();

    log(`plugins: ${withPlugin ? 'one no-op plugin' : 'no plugins'}: POST /api/events...`);
    const BATCH = 500;
    const BATCHES = 40;
    const bodies = Array.from({ length: BATCHES }, (_b, b) =>
      JSON.stringify(Array.from({ length: BATCH }, (_, i) => JSON.parse(kpi(b * BATCH + i)))),
    );
    const before = await lastSeq();
    const t0 = performance.now();
    for (const body of bodies) {
      const r = await http(url, '/api/events?format=kpi', body);
      if (r.status !== 200 && r.status !== 207)
        throw new Error(`POST /api/events: ${r.status} ${r.body}`);
    }
    const ingestMs = performance.now() - t0;
    const target = before + BATCH * BATCHES;
    let deliveredMs = null;
    if (withPlugin) {
      await until(
        async () => (await cursor()) >= target,
        120_000,
        'the plugin to take every event',
      );
      deliveredMs = performance.now() - t0;
    }
    const rss =
      Number(
        /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN,
      ) / 1024;
    return {
      p50: pct(one.latencies, 50),
      p99: pct(one.latencies, 99),
      lines: n,
      ingestRate: (BATCH * BATCHES) / (ingestMs / 1000),
      deliveryRate: deliveredMs === null ? null : (BATCH * BATCHES) / (deliveredMs / 1000),
      events: BATCH * BATCHES,
      rss,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** Bus listeners a hub has with no plugin enabled and with one (in-process, from dist/). */
async function listeners(dir) {
  const { loadConfig } = await import(pathToFileURL(join(root, 'dist/config/config.js')).href);
  const { startServer } = await import(pathToFileURL(join(root, 'dist/server/serve.js')).href);
  const count = async (withPlugin) => {
    const d = join(dir, withPlugin ? 'listeners-one' : 'listeners-none');
    rmSync(d, { recursive: true, force: true });
    mkdirSync(join(d, '.vigil', 'plugins', 'noop'), { recursive: true });
    if (withPlugin)
      for (const [name, text] of Object.entries(NOOP))
        writeFileSync(join(d, '.vigil', 'plugins', 'noop', name), text);
    const env = { HOME: d, VIGIL_DATA_DIR: join(d, 'data'), VIGIL_PORT: '0' };
    const config = await loadConfig({ env, cwd: d });
    if (withPlugin) {
      mkdirSync(join(d, 'data', 'plugins'), { recursive: true });
      writeFileSync(
        join(d, 'data', 'plugins', 'enabled.json'),
        JSON.stringify({ version: 1, plugins: { noop: { enabled: true, changed_at: '' } } }),
      );
    }
    const server = await startServer(config, {
      watchOnly: true,
      cwd: d,
      plugins: { writeLog: () => {} },
    });
    await server.pluginsStarted;
    const n = server.hub.bus.listenerCount;
    await server.close();
    return n;
  };
  return { none: await count(false), one: await count(true) };
}

export async function benchPlugins({ bin, work, log }) {
  const dir = join(work, 'plugins');
  const bus = await listeners(dir);
  const none = await scenario(bin, join(dir, 'none'), false, log);
  const one = await scenario(bin, join(dir, 'one'), true, log);
  rmSync(dir, { recursive: true, force: true });
  const markdown = `## Plugins

What plugins cost the hub (bench/plugins.mjs): \`vigil serve\` as a process on a fresh store,
tailing one file, with no plugin and with one third-party plugin that subscribes to every
event and does nothing (\`onEvent() {}\`, in its own process).

| what | no plugins | one no-op plugin |
|---|---|---|
| Live-bus listeners of the hub (streams, metrics, plugins) | ${bus.none} (none from plugins) | ${bus.one} (1 from the plugin host) |
| File append → SSE receipt, 1 client, 1,000 lines/s for 5 s | p50 ${fmt(none.p50, 2)} ms, p99 ${fmt(none.p99, 2)} ms | p50 ${fmt(one.p50, 2)} ms, p99 ${fmt(one.p99, 2)} ms |
| \`POST /api/events\`, ${fmt(none.events)} events in batches of 500 | ${fmt(none.ingestRate)} events/s | ${fmt(one.ingestRate)} events/s |
| The plugin's \`onEvent\` done for all of them (from the first POST) | — | ${fmt(one.deliveryRate)} events/s |
| Hub RSS after the run (the plugin process not included) | ${fmt(none.rss)} MiB | ${fmt(one.rss)} MiB |

With no plugin enabled the plugin host reads the plugin folders once at start, watches
\`<data_dir>/plugins/\` (which nothing writes but \`vigil plugin\`) and subscribes to
nothing (first row): the commit path, streams and request handling are exactly those of a
hub without plugins, which is what the first column measures.
An enabled plugin is fed from the bus after each commit, never inside it; what it costs is
converting each event and sending it to the plugin's process, work that shares the machine's
cores with the hub (the second column). Events a plugin has not taken yet wait in its bounded
queue or are read back from the store.
`;
  return { none, one, bus, markdown };
}

// `node bench/plugins.mjs`: this section alone, spliced into docs/BENCHMARKS.md.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const work = process.env.VIGIL_BENCH_DIR ?? join(os.tmpdir(), 'vigil-bench-plugins');
  const log = (s) => process.stderr.write(`${s}\n`);
  const { markdown } = await benchPlugins({ bin: join(root, 'bin', 'vigil.js'), work, log });
  const path = join(root, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf('## Plugins\n');
  const next = start === -1 ? -1 : doc.indexOf('\n## ', start + 1);
  const updated =
    start === -1
      ? `${doc.trimEnd()}\n\n${markdown}`
      : `${doc.slice(0, start)}${markdown}${next === -1 ? '' : doc.slice(next + 1)}`;
  writeFileSync(path, updated);
  process.stdout.write(markdown);
}
