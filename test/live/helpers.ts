/**
 * Shared helpers for the live tailing cases: a real temp folder, a real SQLite store, the real
 * adapter registry and monitor, and tailers started on them. The oracle is always the set of
 * keys the writer emitted: a KPI line's `event_id`, an agent-event line's message (its id is
 * derived, so a line read twice under another identity would show up as a second event).
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { VigilEvent } from '../../src/core/event.js';
import { IngestMonitor } from '../../src/live/ingest-monitor.js';
import { Tailer, type TailerOptions, type TailSource } from '../../src/live/tailer.js';
import { createAdapterRegistry } from '../../src/sources/registry.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { agentLine, kpiLine, waitFor } from '../reliability/helpers.js';

export {
  agentLine,
  createRng,
  kpiLine,
  missingFrom,
  repeated,
  uuidFrom,
  waitFor,
} from '../reliability/helpers.js';

export interface LiveBox {
  dir: string;
  dbPath: string;
  store: Store;
  monitor: IngestMonitor;
  /** Every event published through onCommit, in order (what the live bus would carry). */
  published: VigilEvent[];
  /** Epoch ms of each onCommit call with its inserted count. */
  commits: { at: number; inserted: number }[];
  /** `dir/rel`, with its parent folders created. */
  file(rel: string): string;
  /** Starts a tailer on these sources (strings are paths) and waits for its catch-up. */
  start(
    sources: readonly (string | TailSource)[],
    options?: Partial<TailerOptions>,
  ): Promise<Tailer>;
  /** Builds a tailer without starting it. */
  tailer(sources: readonly (string | TailSource)[], options?: Partial<TailerOptions>): Tailer;
  /** Closes and reopens the store (what a restart of the hub does). */
  reopenStore(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Defaults for tests: small batches (many commits), and no rescan unless a test asks. */
export const TEST_TAILER_DEFAULTS = {
  maxLineBytes: 1 << 20,
  batchEvents: 200,
  rescanIntervalMs: 600_000,
} as const;

export function createLiveBox(prefix = 'vigil-live-'): LiveBox {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const dbPath = join(dir, 'data', 'vigil.db');
  mkdirSync(dirname(dbPath), { recursive: true });
  const registry = createAdapterRegistry();
  const tailers: Tailer[] = [];
  const box: LiveBox = {
    dir,
    dbPath,
    store: createSqliteStore(dbPath),
    monitor: new IngestMonitor(),
    published: [],
    commits: [],
    file(rel) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      return p;
    },
    tailer(sources, options = {}) {
      const t = new Tailer({
        store: box.store,
        registry,
        sources: sources.map((s) => (typeof s === 'string' ? { path: s } : s)),
        monitor: box.monitor,
        onCommit: (r) => {
          box.monitor.committed(r);
          box.commits.push({ at: performance.now(), inserted: r.inserted });
          box.published.push(...r.committed);
        },
        ...TEST_TAILER_DEFAULTS,
        ...options,
      });
      tailers.push(t);
      return t;
    },
    async start(sources, options = {}) {
      const t = box.tailer(sources, options);
      await t.start();
      return t;
    },
    async reopenStore() {
      await box.store.close();
      box.store = createSqliteStore(dbPath);
    },
    async cleanup() {
      for (const t of tailers.splice(0)) await t.stop();
      await box.store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return box;
}

/** The oracle key of a stored event: its own id for KPI, its message for derived-id sources. */
export function keyOf(event: VigilEvent): string {
  return event.source.adapter === 'kpi' ? event.id : String(event.message);
}

/** Every stored event's key, duplicates kept, sorted. */
export async function storedKeys(store: Store): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of store.iterateEvents({})) keys.push(keyOf(e));
  return keys.sort();
}

/**
 * Waits until the store holds at least `expected.length` events and the tailer is idle, then
 * returns the stored keys (sorted), for an exact comparison with `[...expected].sort()`.
 */
export async function settle(
  box: LiveBox,
  tailer: Tailer,
  expected: readonly string[],
  timeoutMs = 15_000,
): Promise<string[]> {
  try {
    await waitFor(
      async () => ((await box.store.countEvents({})) >= expected.length ? true : undefined),
      timeoutMs,
      `${expected.length} stored events`,
    );
  } catch {
    // Fall through: the caller's exact comparison shows what is missing.
  }
  await tailer.whenIdle();
  return storedKeys(box.store);
}

/** Sorted copy, for comparing key lists. */
export function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort();
}

/** Resolves after the event loop has turned once (lets watchers and the tailer run). */
export function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Open descriptors of this process that point at `path` (or inside it, for a folder). */
export function openDescriptorsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed while listing
    }
    if (target === path || target.startsWith(`${path}/`) || target.startsWith(`${path} (`)) n += 1;
  }
  return n;
}

/** Shifts `file.1`, `file.2`, ... up by one (the classic rotation scheme). */
function shiftRotated(file: string): void {
  let n = 1;
  while (existsSync(`${file}.${n}`)) n += 1;
  for (let i = n; i > 1; i -= 1) renameSync(`${file}.${i - 1}`, `${file}.${i}`);
}

/** Rename-and-create rotation: older copies shifted up, P → P.1, a new empty P. */
export function rotateByRename(file: string): void {
  shiftRotated(file);
  renameSync(file, `${file}.1`);
  writeFileSync(file, '');
}

/** logrotate's copytruncate: older copies shifted up, P copied to P.1, P truncated to 0. */
export function rotateByCopy(file: string): void {
  shiftRotated(file);
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
}

/**
 * Writes `lines` KPI lines to `kpiFile` and as many agent-event lines (session s1, messages
 * `m0`, `m1`, ...) to `agentFile`, in chunks of 1..`maxChunk`, rotating both files with
 * `rotate` after a chunk with probability `rotateChance` and letting the event loop turn after
 * half of them. Returns every key written and how many rotations happened.
 */
export async function writeUnderLoad(
  rng: () => number,
  files: { kpiFile: string; agentFile: string },
  options: {
    lines: number;
    maxChunk: number;
    rotateChance: number;
    rotate: (file: string) => void;
  },
): Promise<{ expected: string[]; rotations: number }> {
  const expected: string[] = [];
  let rotations = 0;
  for (let i = 0; i < options.lines;) {
    const n = 1 + Math.floor(rng() * options.maxChunk);
    let kpis = '';
    let agents = '';
    for (let j = 0; j < n; j += 1, i += 1) {
      const k = kpiLine(rng);
      expected.push(k.id);
      kpis += `${k.line}\n`;
      expected.push(`m${i}`);
      agents += `${agentLine('s1', `m${i}`)}\n`;
    }
    appendFileSync(files.kpiFile, kpis);
    appendFileSync(files.agentFile, agents);
    if (rng() < options.rotateChance) {
      options.rotate(files.kpiFile);
      options.rotate(files.agentFile);
      rotations += 1;
    }
    if (rng() < 0.5) await turn();
  }
  return { expected, rotations };
}
