/**
 * Shared helpers for the reliability cases (RELIABILITY.md): real temp folders, real
 * `node bin/vigil.js` child processes, a seeded PRNG for reproducible data, and readers that
 * take the store's state back through the CLI only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'vigil.js');

export interface Sandbox {
  /** The temp folder: cwd of every child, HOME and XDG dirs point inside it. */
  dir: string;
  dataDir: string;
  /** Extra environment for every child started in this sandbox. */
  env: Record<string, string>;
  /** `dir/rel`, with its parent folders created. */
  file(rel: string): string;
  cleanup(): void;
}

/** A fresh temp folder with its own data dir and no config leaking in from the machine. */
export function createSandbox(prefix = 'vigil-rel-', env: Record<string, string> = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(dir, 'data');
  return {
    dir,
    dataDir,
    env,
    file(rel) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The child environment: the parent's minus any VIGIL_*, plus the sandbox's and `extra`. */
export function childEnv(box: Sandbox, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VIGIL_')) env[k] = v;
  return {
    ...env,
    HOME: box.dir,
    XDG_CONFIG_HOME: join(box.dir, '.config'),
    XDG_DATA_HOME: join(box.dir, '.local', 'share'),
    TZ: 'UTC',
    VIGIL_DATA_DIR: box.dataDir,
    ...box.env,
    ...extra,
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Starts `node bin/vigil.js ...args` in the sandbox; the caller owns the process. */
export function startVigil(
  box: Sandbox,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: box.dir,
    env: childEnv(box, extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started child's output and resolves when it has exited. */
export function finished(child: ChildProcess, started = performance.now()): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started }),
    );
  });
}

/** Runs `vigil ...args` to completion. */
export function vigil(
  box: Sandbox,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<RunResult> {
  const started = performance.now();
  return finished(startVigil(box, args, extraEnv), started);
}

/** `vigil events --count` as a number (exit code 1 means 0 events, not an error). */
export async function countEvents(box: Sandbox): Promise<number> {
  const r = await vigil(box, ['events', '--count']);
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`events --count failed (${r.code}): ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Every stored event as exported by `vigil events --all --format jsonl`, in store order. */
export async function allEvents(box: Sandbox): Promise<Record<string, unknown>[]> {
  const r = await vigil(box, ['events', '--all', '--format', 'jsonl']);
  if (r.code !== 0) throw new Error(`events --all failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The stored event ids, in store order (duplicates kept, so callers can see them). */
export async function storedIds(box: Sandbox): Promise<string[]> {
  return (await allEvents(box)).map((e) => String(e['event_id']));
}

export interface DoctorReport {
  ok: boolean;
  problems: string[];
}

export async function doctor(box: Sandbox): Promise<DoctorReport & { code: number | null }> {
  const r = await vigil(box, ['doctor', '--json']);
  const line = r.stdout.trim();
  if (line === '') throw new Error(`doctor printed nothing (${r.code}): ${r.stderr}`);
  return { ...(JSON.parse(line) as DoctorReport), code: r.code };
}

/** The ingested offset and size of `file` as `vigil sources --json` reports them. */
export async function sourceProgress(
  box: Sandbox,
  file: string,
): Promise<{ size: number; ingested: number | null }> {
  const r = await vigil(box, ['sources', '--json', file]);
  if (r.code !== 0) throw new Error(`sources failed (${r.code}): ${r.stderr}`);
  const rows = (
    JSON.parse(r.stdout) as { sources: { file: string; size: number; ingested: number | null }[] }
  ).sources;
  const row = rows.find((s) => s.file === file);
  if (row === undefined) throw new Error(`sources --json has no row for ${file}: ${r.stdout}`);
  return { size: row.size, ingested: row.ingested };
}

/**
 * The rejects `vigil ingest` printed for `file` as `PATH:LINE: reason` (PATH absolute, or relative
 * to the sandbox when inside it), as line number → reason.
 */
export function rejectsOf(box: Sandbox, stderr: string, file: string): Map<number, string> {
  const names = [file, relative(box.dir, file)];
  const out = new Map<number, string>();
  for (const l of stderr.split('\n')) {
    const name = names.find((n) => l.startsWith(`${n}:`));
    if (name === undefined) continue;
    const m = /^:(\d+): (.+)$/.exec(l.slice(name.length));
    if (m) out.set(Number(m[1]), m[2] as string);
  }
  return out;
}

/** Counts of each id, for "each once" checks: returns the ids seen more than once. */
export function repeated(ids: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Set difference a \ b, sorted, for readable assertion failures. */
export function missingFrom(a: Iterable<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

/** The two parsing paths of `ingest`: in the main thread, and the parsing worker. */
export const PARSE_MODES = [
  { name: 'in-thread', env: { VIGIL_INGEST_WORKER: 'never' } },
  { name: 'worker', env: { VIGIL_INGEST_WORKER: 'always' } },
] as const;

/** mulberry32: a small seeded PRNG, so every run writes the same data. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4 UUID from the PRNG. */
export function uuidFrom(rng: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(rng() * 4) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export interface KpiOptions {
  /** ISO timestamp of the event. */
  timestamp?: string;
  taskPool?: number;
  errorMessage?: string;
}

/**
 * One seed-003 KPI line (no newline) with a fresh id from `rng`: task_start / task_end with
 * tokens (so rollups are exercised) / error, task ids from a small pool.
 */
export function kpiLine(rng: () => number, options: KpiOptions = {}): { id: string; line: string } {
  const id = uuidFrom(rng);
  const pick = rng();
  const task = `task_${Math.floor(rng() * (options.taskPool ?? 200))}`;
  const timestamp =
    options.timestamp ??
    new Date(Date.UTC(2026, 1, 16, 0, 0, 0) + Math.floor(rng() * 7 * 86_400_000)).toISOString();
  const model = ['gpt-5.3-codex', 'claude-sonnet-4-5', 'gemini-3-pro'][
    Math.floor(rng() * 3)
  ] as string;
  const base = {
    event_id: id,
    timestamp,
    task_id: task,
    session_id: `sess_${Math.floor(rng() * 20)}`,
    model,
  };
  let record: Record<string, unknown>;
  if (pick < 0.45) record = { ...base, event_type: 'task_start' };
  else if (pick < 0.9) {
    record = {
      ...base,
      event_type: 'task_end',
      status: pick < 0.8 ? 'success' : 'failure',
      tokens_input: Math.floor(rng() * 5000),
      tokens_output: Math.floor(rng() * 2000),
      duration_seconds: Math.floor(rng() * 600),
    };
  } else
    record = {
      ...base,
      event_type: 'error',
      error_message: options.errorMessage ?? `boom ${Math.floor(rng() * 1e6)}`,
    };
  if (options.errorMessage !== undefined && record['event_type'] !== 'error')
    record['error_message'] = options.errorMessage;
  return { id, line: JSON.stringify(record) };
}

/** One seed-002 `Event.to_dict()` line (no id of its own). */
export function agentLine(
  sessionId: string,
  message: string,
  timestamp = '2026-02-16T10:00:00',
  eventType = 'info',
): string {
  return JSON.stringify({
    event_type: eventType,
    timestamp,
    session_id: sessionId,
    message,
    phase: null,
    task_id: null,
    agent_role: null,
    model: null,
    metadata: {},
  });
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  pollMs = 5,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Resolves after `ms`: only for deliberate random kill points, never to wait for a state. */
export function killPointDelay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
