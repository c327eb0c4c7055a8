import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository root and the CLI entry point the tests run (built from src/ by `npm run build`). */
export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin', 'vigil.js');

if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
  throw new Error('dist/cli/main.js is missing: run `npm run build` before these end-to-end tests');
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The folder the CLI runs in (default sources resolve against it). */
  cwd: string;
  /** Added to a minimal environment: PATH, TZ=UTC, HOME=cwd (so `~/...` default sources and
   *  `~/.config/vigil` stay inside the temp folder), no VIGIL_* except what is passed. */
  env?: Record<string, string>;
  /** Written to the child's stdin, then closed. */
  input?: string;
  /** Run the child as this user (root only). */
  uid?: number;
  gid?: number;
  /** Run `node bin/vigil.js ...args` through this command line (e.g. `unshare ... sh -c ...`). */
  wrap?: readonly string[];
}

/** Runs `node bin/vigil.js ...args` as a real child process and collects its exit code and output. */
export function runVigil(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    TZ: 'UTC',
    HOME: opts.cwd,
    LANG: 'C.UTF-8',
    ...opts.env,
  };
  return new Promise((resolvePromise, reject) => {
    const argv = [...(opts.wrap ?? []), process.execPath, BIN, ...args];
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: opts.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A fresh temp workspace: `dir` (the cwd) and `data` (a data dir inside it). */
export interface Workspace {
  dir: string;
  data: string;
  /** runVigil in this workspace with VIGIL_DATA_DIR=data. */
  run(args: readonly string[], extra?: Omit<RunOptions, 'cwd'>): Promise<RunResult>;
  write(rel: string, text: string): string;
  /** `text` with this workspace's absolute paths made relative (the CLI may print either form
   *  for files inside its working folder). */
  rel(text: string): string;
  cleanup(): void;
}

export function createWorkspace(prefix = 'vigil-cli-'): Workspace {
  // realpath: the CLI reports paths resolved against the child's cwd, which is the real path.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const data = join(dir, 'data');
  return {
    dir,
    data,
    run: (args, extra = {}) =>
      runVigil(args, { ...extra, cwd: dir, env: { VIGIL_DATA_DIR: data, ...extra.env } }),
    write(rel, text) {
      const path = join(dir, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    rel: (text) => text.split(`${dir}/`).join(''),
    cleanup() {
      // Tests leave folders without permissions behind; restore them so rm can recurse.
      unlock(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function unlock(path: string): void {
  try {
    chmodSync(path, 0o755);
    for (const e of readdirSync(path, { withFileTypes: true }))
      if (e.isDirectory()) unlock(join(path, e.name));
  } catch {
    // gone, or not ours to change: rm reports what it cannot remove
  }
}

/** A valid UUID v4-shaped event id whose last group is `n` (so ids are readable in failures). */
export function uuid(n: number): string {
  return `550e8400-e29b-41d4-a716-${n.toString(16).padStart(12, '0')}`;
}

export const jsonl = (records: readonly (object | string)[]): string =>
  records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

/** Parses CSV as written by csv-stringify (quotes doubled, `\n` line ends). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
