/**
 * Plugin tests: a temp workspace with plugin folders written on disk, and the hub started
 * through `startServer` (the real plugin host, real plugin processes from dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { loadConfig } from '../../src/config/config.js';
import type { BuiltinPluginSpec } from '../../src/plugins/discovery.js';
import { setEnabled } from '../../src/plugins/plugin-files.js';
import type { PluginsBody, PluginStatus } from '../../src/plugins/status.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { BIN, REPO } from '../cli/helpers.js';
import { makeEvent } from '../server/streams-helpers.js';

if (!existsSync(join(REPO, 'dist', 'plugins', 'runner.js'))) {
  throw new Error('dist/plugins/runner.js is missing: run `npm run build` before the plugin tests');
}

export const EXAMPLE = join(REPO, 'examples', 'plugins', 'event-counter');

/** A plugin.toml with the usual fields; `extra` is appended (more tables). */
export function manifest(name: string, extra = '', entry = 'index.js'): string {
  return `[plugin]\nname = "${name}"\nversion = "0.1.0"\ndescription = "test plugin ${name}"\nentry_point = "${entry}"\nrequires = ["vigil>=0.1"]\n\n[plugin.events]\nsubscribes = ["*"]\n${extra}`;
}

/** A plugin module appending each seq it is handed to `<dataDir>/seen.txt`; `body` runs first. */
export function recorder(body = ''): string {
  return `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin } from 'vigil/plugin';
export default definePlugin({
  async onEvent(event, ctx) {
    ${body}
    appendFileSync(join(ctx.dataDir, 'seen.txt'), event.seq + '\\n');
  },
});
`;
}

export interface PluginLab {
  dir: string;
  dataDir: string;
  /** Writes `<dir>/.vigil/plugins/<folder>/<file>` for each file; returns the folder. */
  plugin(folder: string, files: Record<string, string>): string;
  /** Writes a file under the workspace. */
  write(rel: string, text: string): string;
  enable(name: string, enabled?: boolean): void;
  /** The seqs a recorder plugin wrote. */
  seen(name: string): number[];
  /** Processes to kill at cleanup. */
  children: ChildProcess[];
  start(options?: {
    config?: string;
    env?: Record<string, string>;
    builtins?: readonly BuiltinPluginSpec[];
  }): Promise<RunningServer>;
  cleanup(): Promise<void>;
}

export function createLab(prefix = 'vigil-plugins-'): PluginLab {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const dataDir = join(dir, 'data');
  const servers: RunningServer[] = [];
  const write = (rel: string, text: string) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const children: ChildProcess[] = [];
  return {
    dir,
    dataDir,
    write,
    children,
    plugin(folder, files) {
      for (const [name, text] of Object.entries(files))
        write(join('.vigil', 'plugins', folder, name), text);
      return join(dir, '.vigil', 'plugins', folder);
    },
    enable: (name, enabled = true) => setEnabled(dataDir, name, enabled),
    seen(name) {
      const file = join(dataDir, 'plugins', name, 'data', 'seen.txt');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map(Number);
    },
    async start(options = {}) {
      if (options.config !== undefined) write('vigil.toml', options.config);
      const config = await loadConfig({
        env: { HOME: dir, VIGIL_DATA_DIR: dataDir, VIGIL_PORT: '0', ...options.env },
        cwd: dir,
      });
      const server = await startServer(config, {
        watchOnly: true,
        cwd: dir,
        plugins: {
          backoff: { baseMs: 100, maxMs: 400, maxFailures: 4, resetAfterMs: 60_000 },
          writeLog: () => {},
          builtins: options.builtins ?? [],
        },
      });
      servers.push(server);
      return server;
    },
    async cleanup() {
      for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
      for (const s of servers.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function pluginsOf(server: RunningServer): Promise<PluginsBody> {
  const res = await fetch(`${server.url}/api/plugins`);
  if (res.status !== 200) throw new Error(`/api/plugins: ${res.status} ${await res.text()}`);
  return (await res.json()) as PluginsBody;
}

/** Polls /api/plugins until `name`'s status passes `check`; returns that status. */
export async function waitForPlugin(
  server: RunningServer,
  name: string,
  check: (s: PluginStatus) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<PluginStatus> {
  let last: PluginStatus | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    last = (await pluginsOf(server)).plugins.find((p) => p.name === name);
    if (last !== undefined && check(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${name}: ${what}; last status ${JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Commits `n` events through the hub (published on the bus as the tailer's would be). */
export async function commit(server: RunningServer, n: number, type = 'note'): Promise<void> {
  await server.hub.ingestEvents(Array.from({ length: n }, () => makeEvent({ type })));
}

export const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

export interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** `vigil serve --port 0 ...args` as a real process in the lab; resolves once it listens. */
export function serveProcess(l: PluginLab, args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: l.dir,
    env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', HOME: l.dir, VIGIL_DATA_DIR: l.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  l.children.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('auth'))
        resolve({ child, url: m[1] as string, exited, stderr: () => err });
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}
