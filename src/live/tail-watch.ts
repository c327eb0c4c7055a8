import {
  statSync,
  watch as watchFolder,
  type FSWatcher as FolderWatcher,
  type Stats,
} from 'node:fs';
import { dirname } from 'node:path';

import { watch, type FSWatcher } from 'chokidar';

import type { SourceSpec } from './tail-sources.js';

export interface SourceWatchEvents {
  /** Something happened to the file at `path`: worth a look. */
  onPath(path: string): void;
  /** A raw notification from the watch on `watched` (a file, or a folder and its entry `name`). */
  onRaw(watched: string, name: string | null): void;
  /** The source's folder (re)appeared and is watched now: what it holds needs a scan. */
  onRootAppeared(): void;
  onError(message: string): void;
}

const SKIP = /(?:^|\/)(?:\.git|node_modules|\.hg|\.svn)(?:\/|$)/;

/**
 * Watches one source with chokidar (inotify, never polling). Every raw notification is passed
 * on at once: chokidar's own `change` events are throttled (one per 50 ms per file), and a
 * tailer must not miss the last append of a burst. A folder that does not exist yet is waited
 * for through its nearest existing parent.
 */
export class SourceWatcher {
  private watcher: FSWatcher | null = null;
  /** (dev, ino) of the folder the watcher was started on: a replaced folder is re-watched. */
  private watchedRoot: { path: string; dev: number; ino: number } | null = null;
  private parentWatch: FolderWatcher | null = null;
  private parentDir: string | null = null;
  private ensuring: Promise<void> | null = null;
  private closed = false;
  /** False during start(): the tailer's first scan covers what is there. */
  private announce = false;

  constructor(
    private readonly spec: SourceSpec,
    private readonly events: SourceWatchEvents,
  ) {}

  /** Starts watching; resolves once chokidar is ready (or the folder is being waited for). */
  async start(): Promise<void> {
    await this.ensureRoot();
    this.announce = true;
  }

  /**
   * Watches the source's folder if it exists and is not watched yet (or was replaced); called
   * by every rescan, so a watcher lost with its folder comes back.
   */
  ensureRoot(): Promise<void> {
    this.ensuring ??= this.reconcile().finally(() => {
      this.ensuring = null;
    });
    return this.ensuring;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.parentWatch?.close();
    this.parentWatch = null;
    await this.ensuring;
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }

  private target(): {
    root: string;
    depth: number | undefined;
    ignored: (p: string, stats?: Stats) => boolean;
  } {
    const glob = this.spec.glob;
    if (glob !== null) {
      // Folders are entered (a match may lie below); files that do not match get no watch.
      return {
        root: glob.base,
        depth: glob.depth,
        ignored: (p, stats) =>
          p !== glob.base &&
          (SKIP.test(p.slice(glob.base.length)) ||
            (stats?.isFile() === true && !this.spec.matches(p))),
      };
    }
    const path = this.spec.path;
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
      return {
        root: path,
        depth: undefined,
        ignored: (p) => p !== path && SKIP.test(p.slice(path.length)),
      };
    }
    // A file, or nothing yet: watch its folder (rotation replaces the file) but only that entry.
    const root = dirname(path);
    return { root, depth: 0, ignored: (p) => p !== root && p !== path };
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const { root, depth, ignored } = this.target();
    const stat = statSync(root, { throwIfNoEntry: false });
    const current = this.watchedRoot;
    if (
      current !== null &&
      stat?.isDirectory() === true &&
      current.path === root &&
      current.dev === stat.dev &&
      current.ino === stat.ino
    )
      return;
    if (this.watcher !== null) {
      const old = this.watcher;
      this.watcher = null;
      this.watchedRoot = null;
      await old.close();
    }
    if (stat === undefined || !stat.isDirectory()) {
      this.waitForRoot(root);
      return;
    }
    this.parentWatch?.close();
    this.parentWatch = null;
    const watcher = watch(root, {
      ignoreInitial: true,
      persistent: true,
      atomic: false,
      depth,
      ignored,
    });
    this.watcher = watcher;
    this.watchedRoot = { path: root, dev: stat.dev, ino: stat.ino };
    watcher.on('raw', (_event, name, details) => {
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (typeof watched !== 'string') return;
      this.events.onRaw(watched, typeof name === 'string' && name !== '' ? name : null);
    });
    watcher.on('all', (event, path) => {
      // The folder itself went away, or a missing source path appeared as a folder.
      if (
        (event === 'unlinkDir' && path === root) ||
        (event === 'addDir' && path === this.spec.path)
      )
        void this.ensureRoot();
      else if (event === 'add' || event === 'change' || event === 'unlink')
        this.events.onPath(path);
    });
    watcher.on('error', (error) =>
      this.events.onError(`watching ${root}: ${(error as Error).message ?? String(error)}`),
    );
    await new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));
    if (this.closed) {
      this.watcher = null;
      await watcher.close();
      return;
    }
    if (this.announce) this.events.onRootAppeared();
  }

  /** Watches the nearest existing parent of `root` until `root` exists. */
  private waitForRoot(root: string): void {
    let dir = dirname(root);
    while (dir !== dirname(dir) && statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true)
      dir = dirname(dir);
    if (this.parentWatch !== null && this.parentDir === dir) return;
    this.parentWatch?.close();
    this.parentWatch = null;
    try {
      const w = watchFolder(dir, { persistent: false }, () => void this.ensureRoot());
      w.on('error', () => {
        w.close();
        if (this.parentWatch === w) this.parentWatch = null;
      });
      this.parentWatch = w;
      this.parentDir = dir;
    } catch {
      // Not watchable (permissions): the periodic rescan still finds the folder.
    }
  }
}
