/**
 * `vigil serve` as a child process for the dashboard tests, on a fixed port so that it can be
 * stopped and started again where the page expects it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

import { BIN } from '../cli/helpers.js';
import type { DashboardWorkspace } from './fixture-workspace.js';

/** A free loopback port, chosen once so the hub can be restarted on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Hub {
  url: string;
  port: number;
  /** Starts `vigil serve` on the hub's port; resolves once it listens and has caught up. */
  start(): Promise<void>;
  /** SIGTERM, and waits for a clean exit. */
  stop(): Promise<void>;
  /** Stops it if it runs (afterAll). */
  dispose(): Promise<void>;
  stderr(): string;
}

/** `vigil --data-dir <temp> serve --watch-only --watch <workspace>` on a fixed port. */
export function createHub(ws: DashboardWorkspace, port: number): Hub {
  let child: ChildProcess | null = null;
  let err = '';
  const url = `http://127.0.0.1:${port}`;
  const hub: Hub = {
    url,
    port,
    stderr: () => err,
    start() {
      if (child) throw new Error('the hub is already running');
      const c = spawn(
        process.execPath,
        [
          BIN,
          '--data-dir',
          ws.data,
          'serve',
          '--port',
          String(port),
          '--watch-only',
          '--watch',
          ws.watch,
        ],
        {
          cwd: ws.dir,
          env: {
            PATH: process.env['PATH'] ?? '/usr/bin:/bin',
            TZ: 'UTC',
            HOME: ws.dir,
            LANG: 'C.UTF-8',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child = c;
      let out = '';
      let caughtUp = false;
      // This run's own stderr: an earlier run's "caught up" must not count.
      let runErr = '';
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (caughtUp && /listening on http/.test(out) && out.includes('auth ')) resolve();
        };
        c.stdout?.on('data', (b: Buffer) => {
          out += b.toString();
          check();
        });
        c.stderr?.on('data', (b: Buffer) => {
          err += b.toString();
          runErr += b.toString();
          if (runErr.includes('caught up')) caughtUp = true;
          check();
        });
        c.once('exit', (code) => {
          if (child === c) child = null;
          reject(new Error(`vigil serve exited (${code}): ${err}`));
        });
      });
    },
    async stop() {
      const c = child;
      if (!c) return;
      const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
      c.kill('SIGTERM');
      const code = await exited;
      child = null;
      if (code !== 0) throw new Error(`vigil serve exited ${code} on SIGTERM: ${err}`);
    },
    async dispose() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
  };
  return hub;
}

/** GET a JSON route of the hub. */
export async function api<T = Record<string, unknown>>(hub: Hub, path: string): Promise<T> {
  const res = await fetch(`${hub.url}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
