import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';

import {
  ingestOpenFile,
  type FileResult,
  type IngestOptions,
  type ResumeAt,
} from '../ingest/ingest-files.js';
import type { AdapterRegistry } from '../sources/registry.js';
import type { Checkpoint, IngestBatchResult, Store } from '../store/types.js';
import type { IngestMonitor } from './ingest-monitor.js';
import {
  atLineStart,
  closeSiblings,
  headMatches,
  openRotatedSiblings,
  sameInode,
  seenEmptyCheckpoint,
  truncatedSince,
  type FileId,
  type Sibling,
} from './tail-rotation.js';

/** What every tailed file shares: the store, adapters, limits and where to report. */
export interface TailContext {
  store: Store;
  registry: AdapterRegistry;
  monitor: IngestMonitor;
  maxLineBytes: number;
  batchEvents: number;
  /** Aborted on stop: an ingest in flight commits its current batch and returns. */
  signal: AbortSignal;
  onCommit: (result: IngestBatchResult) => void;
}

interface Inode extends FileId {
  size: number;
  mtimeMs: number;
}

/**
 * How much earlier than the clock a file's modification time may read (coarse kernel
 * timestamps); comparisons against checkpoint times allow this much, at worst re-reading a
 * file whose lines are then duplicates.
 */
const MTIME_SLACK_MS = 1_000;
/** Looks for rotated copies made while earlier ones were read, at most this many times. */
const MAX_PASSES = 8;
/** Rotated files remembered as read, per tailed file. */
const MAX_REMEMBERED = 64;

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/**
 * One tailed file, brought up to date by `process()` (never run twice at once; the tailer
 * queues it). A line file's descriptor is held between passes, so when its path is renamed
 * away or deleted, the inode that was being read is read to its end under the path (same
 * checkpoint, same ids) before the new file is opened. Everything else is worked out from the
 * checkpoint, so it also holds after a restart: a different inode at the path means a rotation
 * (the old inode is looked for among the rotated copies and read on); the same inode, shorter
 * or with another head, means a truncation (the rotated copy with the old head holds what was
 * written after the last read, read from the old offset); and copies modified since the
 * checkpoint may hold whole generations never seen at the path. Rotated copies are read under
 * their own names or under the path; ids come from the logical path, so a line read twice is
 * a duplicate, never a second event.
 */
export class TailedFile {
  /** Descriptor of the inode being read (line files only), or null. */
  fd: number | null = null;
  /** The adapter's mode once one recognised the file; null while none does. */
  mode: 'lines' | 'document' | null = null;
  /** Identity and size when last ingested: a rescan re-reads when the file differs. */
  seen: { dev: number; ino: number; size: number; mtimeMs: number } | null = null;
  /** The path no longer holds a file: the tailer forgets it. */
  gone = false;
  /** Consecutive failed attempts (for the retry delay). */
  failures = 0;
  private lastError: string | null = null;
  private reportedUndetected = false;
  /** Ingest passes run for this file (main and rotated copies). */
  private reads = 0;
  /** True once the file has been looked at (ingested or found unrecognised) at least once. */
  private looked = false;
  /** When the tailer first looked at this path (epoch ms). */
  private readonly firstSeenAt = Date.now();
  /** Rotated files already read, by `dev:ino`, with their size and time when read. */
  private readonly handled = new Map<string, { size: number; mtimeMs: number }>();

  constructor(
    readonly path: string,
    readonly format: string | undefined,
    /** Found by walking a folder or a glob: when no adapter recognises it, skip it quietly. */
    readonly discovered: boolean,
  ) {}

  /** True when the file on disk differs from what was last ingested (or it failed). */
  changedOnDisk(): boolean {
    const st = statOrNull(this.path);
    const seen = this.seen;
    return (
      st === null ||
      seen === null ||
      st.ino !== seen.ino ||
      st.dev !== seen.dev ||
      st.size !== seen.size ||
      st.mtimeMs !== seen.mtimeMs
    );
  }

  closeFd(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  /** Brings the store up to date with the file. Throws only on unexpected errors. */
  async process(ctx: TailContext): Promise<void> {
    const st = statOrNull(this.path);
    let drained: Inode | null = null;
    if (this.fd !== null) {
      const held = fstatSync(this.fd);
      if (st === null || st.dev !== held.dev || st.ino !== held.ino) {
        // Renamed away or deleted: finish the inode we were reading first (it may have been
        // copied and truncated before it went: its copy is read first). A deleted one cannot
        // be found again after a restart, so it is read to its end even when stopping.
        const fd = this.fd;
        await this.recoverRotation(
          ctx,
          { fd, dev: held.dev, ino: held.ino, size: held.size },
          null,
        );
        if (ctx.signal.aborted && held.nlink > 0) {
          this.closeFd();
          return;
        }
        await this.ingest(ctx, fd, undefined, held.nlink === 0);
        const after = fstatSync(fd);
        drained = { dev: after.dev, ino: after.ino, size: after.size, mtimeMs: after.mtimeMs };
        this.closeFd();
        // Stopping: the checkpoint still names the old file, which the next start finds.
        if (ctx.signal.aborted) return;
      }
    }
    if (st === null || !st.isFile()) {
      if (st === null) await this.recoverRotation(ctx, null, drained);
      this.gone = true;
      return;
    }
    let fd = this.fd;
    if (fd === null) {
      try {
        fd = openSync(this.path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.gone = true;
        return;
      }
    }
    let keep = false;
    try {
      const id = fstatSync(fd);
      const current = { fd, dev: id.dev, ino: id.ino, size: id.size };
      await this.recoverRotation(ctx, current, drained);
      // Stopping mid-way: the checkpoint is left where the next start redoes the recovery.
      if (ctx.signal.aborted) return;
      const result = await this.ingest(ctx, fd);
      keep = await this.settle(ctx, result, fd, id);
      this.looked = true;
    } finally {
      if (keep) this.fd = fd;
      else if (fd === this.fd) this.closeFd();
      else closeSync(fd);
    }
  }

  /** Records the outcome; returns whether to keep the descriptor open. */
  private async settle(
    ctx: TailContext,
    result: FileResult,
    fd: number,
    id: Stats,
  ): Promise<boolean> {
    const { monitor } = ctx;
    if (result.status === 'error') {
      this.seen = null;
      this.fail(ctx, result.error?.message ?? `${this.path}: could not be read`);
      return false;
    }
    this.seen = { dev: id.dev, ino: id.ino, size: id.size, mtimeMs: id.mtimeMs };
    this.failures = 0;
    this.lastError = null;
    if (result.status === 'undetected') {
      this.mode = null;
      if (this.discovered) monitor.forget(this.path);
      else if (!this.reportedUndetected) {
        this.reportedUndetected = true;
        monitor.error(
          `${this.path}: ${result.note ?? 'no adapter recognises this file'}`,
          this.path,
        );
      }
      return false;
    }
    this.reportedUndetected = false;
    this.mode = ctx.registry.adapters.find((a) => a.name === result.adapter)?.mode ?? 'lines';
    const cp = await ctx.store.getCheckpoint(this.path);
    if (cp === null && this.mode === 'lines' && result.adapter !== null && !ctx.signal.aborted) {
      // Nothing complete to read yet (empty, or a partial line): record that the file was
      // seen, and when, so that a generation copied away before the next look (even across a
      // restart) is found among the copies modified since.
      await ctx.store.ingest({
        events: [],
        checkpoints: [seenEmptyCheckpoint(this.path, result.adapter, id)],
      });
    }
    const state = monitor.source(this.path);
    if (state !== null) {
      state.adapter = result.adapter;
      state.size = fstatSync(fd).size;
      state.offset = cp !== null && cp.dev === id.dev && cp.ino === id.ino ? cp.offset : 0;
      state.lastError = null;
    }
    return this.mode === 'lines';
  }

  /** Reports a failure once per distinct message (retries of the same failure stay quiet). */
  fail(ctx: TailContext, message: string): void {
    this.failures += 1;
    if (message !== this.lastError) ctx.monitor.error(message, this.path);
    this.lastError = message;
  }

  /**
   * Reads what a rotation or truncation left outside the current file, before the current file
   * is read: the path's checkpoint moves on to the current file only once every rotated copy
   * that may hold unread lines has been read, so a stop in between loses nothing (the next
   * start finds the same copies from the same checkpoint). `current` is the file now at the
   * path (null when the path is gone); `drained` the inode just finished, if any.
   */
  private async recoverRotation(
    ctx: TailContext,
    current: { fd: number; dev: number; ino: number; size: number } | null,
    drained: Inode | null,
  ): Promise<void> {
    const cp = await ctx.store.getCheckpoint(this.path);
    if (cp === null) {
      // Never checkpointed: only a file seen before (empty) can have lost a generation.
      if (current === null || this.mode === 'document' || !this.looked) return;
    } else if (cp.contentDigest !== null) return;
    else if (
      current !== null &&
      sameInode(cp, current) &&
      cp.offset > 0 &&
      !truncatedSince(current.fd, current.size, cp)
    )
      return;
    if (drained !== null) this.remember(drained);
    // Opened now, together: the writer may rotate again while these are read.
    let siblings = openRotatedSiblings(this.path);
    let listedAt = this.reads;
    try {
      const since = await this.readRotatedAway(ctx, cp, current, drained, siblings);
      // Every read lets the writer run (commits yield), and it may rotate again: look again
      // after reading, until a fresh look finds nothing new.
      for (let pass = 0; pass < MAX_PASSES && !ctx.signal.aborted; pass += 1) {
        if (this.reads !== listedAt) {
          closeSiblings(siblings);
          siblings = [];
          siblings = openRotatedSiblings(this.path);
          listedAt = this.reads;
        }
        await this.readNewerSiblings(ctx, siblings, since, current);
        if (this.reads === listedAt) break;
      }
    } finally {
      closeSiblings(siblings);
    }
  }

  /**
   * Reads what is left of the checkpoint's file: the part of it that a copytruncate moved
   * into a copy (from the checkpoint's offset), and the file itself when it was renamed away.
   * Returns the time from which other rotated copies may hold lines never read.
   */
  private async readRotatedAway(
    ctx: TailContext,
    cp: Checkpoint | null,
    current: { fd: number; dev: number; ino: number; size: number } | null,
    drained: Inode | null,
    siblings: readonly Sibling[],
  ): Promise<number> {
    // Never checkpointed (empty so far): a generation written and copied away since the file
    // was first seen is only in a copy modified since then.
    if (cp === null) return this.firstSeenAt - MTIME_SLACK_MS;
    // Just read to its end (its own copytruncate was handled before): later generations are
    // newer than its last write.
    if (drained !== null && sameInode(drained, cp)) return drained.mtimeMs;
    // The checkpoint's file: still at the path, renamed to a rotated name, or gone.
    const atPath = current !== null && sameInode(cp, current) ? current : undefined;
    const renamed = atPath === undefined ? siblings.find((s) => sameInode(s, cp)) : undefined;
    const file = atPath ?? renamed;
    // Any copy modified since the checkpoint may hold lines never read (re-reading more only
    // finds duplicates).
    const since = cp.updatedAt - MTIME_SLACK_MS;
    if (file === undefined) return since;
    if (cp.offset > 0 && truncatedSince(file.fd, file.size, cp)) {
      // Copytruncate: what was written after the last read is only in the copy, which starts
      // with the head the checkpoint was taken on; read it from the old offset.
      for (const copy of siblings) {
        if (ctx.signal.aborted) break;
        if (sameInode(copy, file) || copy.size < cp.offset) continue;
        if (!headMatches(copy.fd, cp) || !atLineStart(copy.fd, cp.offset)) continue;
        await this.ingest(ctx, copy.fd, { offset: cp.offset, lines: cp.lines });
        this.remember(copy);
      }
    }
    if (renamed !== undefined && !ctx.signal.aborted) {
      // Renamed away: read it on from the checkpoint (or from 0 if it was truncated).
      await this.ingest(ctx, renamed.fd);
      const after = fstatSync(renamed.fd);
      this.remember({ ...renamed, size: after.size, mtimeMs: after.mtimeMs });
    }
    return since;
  }

  /**
   * Rotated copies modified at or after `since`, other than the current file and those already
   * read as they are now: whole generations written and rotated between two looks. Read under
   * the names they were listed with (ids come from the logical path, so anything already
   * stored is a duplicate, not a second event).
   */
  private async readNewerSiblings(
    ctx: TailContext,
    siblings: readonly Sibling[],
    since: number,
    current: FileId | null,
  ): Promise<void> {
    for (const s of siblings) {
      if (s.mtimeMs < since || (current !== null && sameInode(s, current))) continue;
      const known = this.handled.get(`${s.dev}:${s.ino}`);
      if (known !== undefined && known.size === s.size && known.mtimeMs === s.mtimeMs) continue;
      if (ctx.signal.aborted) return;
      this.reads += 1;
      const totals = await ingestOpenFile(ctx.store, s.fd, s.path, {
        ...this.options(ctx, s.path),
        discovered: new Set([s.path]),
      });
      const r = totals.files[0];
      if (r?.status === 'error') this.fail(ctx, r.error?.message ?? `${s.path}: could not be read`);
      else this.remember(s);
    }
  }

  /** Notes a rotated file as read up to its current size (in memory, bounded). */
  private remember(file: { dev: number; ino: number; size: number; mtimeMs: number }): void {
    const key = `${file.dev}:${file.ino}`;
    this.handled.delete(key);
    this.handled.set(key, { size: file.size, mtimeMs: file.mtimeMs });
    if (this.handled.size > MAX_REMEMBERED) {
      const oldest = this.handled.keys().next();
      if (oldest.done !== true) this.handled.delete(oldest.value);
    }
  }

  private async ingest(
    ctx: TailContext,
    fd: number,
    resumeAt?: ResumeAt,
    toTheEnd = false,
  ): Promise<FileResult> {
    this.reads += 1;
    const totals = await ingestOpenFile(ctx.store, fd, this.path, {
      ...this.options(ctx, this.path),
      ...(resumeAt === undefined ? {} : { resumeAt }),
      ...(toTheEnd ? { signal: undefined } : {}),
    });
    return totals.files[0] as FileResult;
  }

  private options(ctx: TailContext, path: string): IngestOptions {
    return {
      registry: ctx.registry,
      ...(this.format === undefined ? {} : { format: this.format }),
      ...(this.discovered ? { discovered: new Set([path]) } : {}),
      maxLineBytes: ctx.maxLineBytes,
      batchEvents: ctx.batchEvents,
      signal: ctx.signal,
      onReject: (r) => ctx.monitor.reject(r),
      onCommit: (r) => {
        const state = ctx.monitor.sources.get(this.path);
        if (state !== undefined) state.lastCommitAt = Date.now();
        ctx.onCommit(r);
      },
    };
  }
}
