/** `vigil serve` as a real process: banner, live ingest, graceful stop, refusals. */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, createWorkspace, jsonl, uuid, type Workspace } from '../cli/helpers.js';
import { waitForValue } from './streams-helpers.js';

let ws: Workspace | null = null;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  ws?.cleanup();
  ws = null;
});

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(
  w: Workspace,
  args: readonly string[],
  env: Record<string, string> = {},
  as: { uid?: number; gid?: number } = {},
): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: w.dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      TZ: 'UTC',
      HOME: w.dir,
      VIGIL_DATA_DIR: w.data,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...as,
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('auth'))
        resolve({ child, url: m[1] as string, stdout: () => out, stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const kpi = (n: number) => ({
  event_id: uuid(n),
  event_type: 'task_end',
  timestamp: '2026-02-16T12:00:00Z',
  task_id: `t-${n}`,
  status: 'success',
  model: 'claude-sonnet-4-5',
  tokens_input: 100,
  tokens_output: 10,
});

const count = async (url: string) => {
  const res = await fetch(`${url}/healthz`);
  return ((await res.json()) as { lastSeq: number }).lastSeq;
};

describe('vigil serve', () => {
  it('prints a banner, ingests appended lines live, stops gracefully and resumes exactly once', async () => {
    ws = createWorkspace('vigil-serve-');
    const file = join(ws.dir, 'kpis.jsonl');
    writeFileSync(file, jsonl([kpi(1), kpi(2)]));
    const a = await serve(ws, ['--watch-only', '--watch', 'kpis.jsonl']);
    expect(a.stdout()).toContain(`dashboard  ${a.url}/`);
    expect(a.stdout()).toContain(`${file} `.trim());
    expect(a.stdout()).toContain('auth       none (loopback only)');
    await waitForValue(async () => (await count(a.url)) === 2, 'the first two events');
    appendFileSync(file, jsonl([kpi(3)]));
    await waitForValue(async () => (await count(a.url)) === 3, 'the appended event');
    // Half a line waits for its newline.
    appendFileSync(file, JSON.stringify(kpi(4)).slice(0, 40));
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.stderr()).toContain('SIGTERM: stopping');
    appendFileSync(file, `${JSON.stringify(kpi(4)).slice(40)}\n${JSON.stringify(kpi(5))}\n`);
    const b = await serve(ws, ['--watch-only', '--watch', 'kpis.jsonl']);
    await waitForValue(async () => (await count(b.url)) === 5, 'all five events after a restart');
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(0);
    const listed = await ws.run(['events', '--all', '--format', 'json']);
    const ids = (JSON.parse(listed.stdout) as { event_id: string }[]).map((e) => e.event_id).sort();
    expect(ids).toEqual([1, 2, 3, 4, 5].map(uuid));
  });

  it('refuses to listen beyond loopback without a token (exit 2)', async () => {
    ws = createWorkspace('vigil-serve-');
    const r = await ws.run(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('without an API token');
  });

  it('reports a port in use clearly (exit 2)', async () => {
    ws = createWorkspace('vigil-serve-');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await ws.run(['serve', '--port', String(port), '--watch-only']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the port is in use');
    } finally {
      blocker.close();
    }
  });

  it('requires the token on every request when one is set', async () => {
    ws = createWorkspace('vigil-serve-');
    const token = 'serve-token-0123456789';
    const tokenFile = ws.write('token.txt', `${token}\n`);
    const s = await serve(ws, ['--watch-only', '--api-token-file', tokenFile]);
    expect(s.stdout()).toContain('bearer token required');
    expect((await fetch(`${s.url}/healthz`)).status).toBe(401);
    const ok = await fetch(`${s.url}/healthz`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('reports a file it may not read in /api/ingest, and reads it once it may', async () => {
    ws = createWorkspace('vigil-serve-');
    const w = ws;
    // The tests run as root, which reads anything: the hub runs as nobody instead.
    const asRoot = process.getuid?.() === 0;
    const as = asRoot ? { uid: 65534, gid: 65534 } : {};
    chmodSync(w.dir, 0o777);
    mkdirSync(w.data, { mode: 0o777 });
    chmodSync(w.data, 0o777);
    const file = join(w.dir, 'kpis.jsonl');
    writeFileSync(file, jsonl([kpi(1)]));
    chmodSync(file, 0o000);
    const s = await serve(
      w,
      ['--watch-only', '--watch', 'kpis.jsonl', '--rescan-interval-ms', '100'],
      {},
      as,
    );
    const ingest = async () =>
      (await (await fetch(`${s.url}/api/ingest`)).json()) as {
        errors: number;
        sources: { path: string; last_error: string | null }[];
      };
    const failing = await waitForValue(async () => {
      const r = await ingest();
      return r.errors > 0 &&
        r.sources.some((x) => x.path === file && /permission/i.test(x.last_error ?? ''))
        ? r
        : undefined;
    }, 'a permission error in /api/ingest');
    expect(failing.errors).toBeGreaterThan(0);
    chmodSync(file, 0o644);
    await waitForValue(async () => (await count(s.url)) === 1, 'the event once readable');
    await waitForValue(
      async () => (await ingest()).sources.find((x) => x.path === file)?.last_error === null,
      'the error to clear',
    );
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
