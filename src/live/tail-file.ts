import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';

import {
  ingestOpenFile,
  type FileResult,
  type IngestOptions,
  type ResumeAt,
} from '../ingest/ingest-files.js';
import type { AdapterRegistry } from '../sources/registry.js';
import { digest } from '../sources/shared/fields.js';
import type { IngestBatchResult, Store } from '../store/types.js';
import type { IngestMonitor } from './ingest-monitor.js';
import {
  atLineStart,
  closeSiblings,
  headMatches,
  openRotatedSiblings,
  truncatedSince,
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

interface FileId {
  dev: number;
  ino: number;
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
/** Rotated files remembered as read, per tailed file. */
const MAX_REMEMBERED = 64;

function sameInode(a: FileId, b: FileId): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

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
 * One tailed file. A line file's descriptor is held between ingests, so when its path is
 * renamed away or deleted the inode that was being read is read to its end under the path
 * (same checkpoint, same ids) before the new file is opened. Whatever happened while no
 * descriptor was held is worked out from the checkpoint: a different inode at the path means
 * a rotation (the old inode is looked for among the rotated copies); the same inode, shorter
 * or with another head, means a truncation (a rotated copy with the old head holds what was
 * written after the last read).
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
        // Renamed away or deleted: finish the inode we were reading first.
        await this.ingest(ctx, this.fd);
        const after = fstatSync(this.fd);
        drained = { dev: after.dev, ino: after.ino, size: after.size, mtimeMs: after.mtimeMs };
        this.closeFd();
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
      const listedAt = await this.recoverRotation(ctx, current, drained);
      const result = await this.ingest(ctx, fd);
      if (listedAt !== null) {
        // While the copies were read, the writer may have rotated again: generations copied
        // away after that listing and before this file was read are only in those copies.
        const siblings = openRotatedSiblings(this.path);
        try {
          await this.readNewerSiblings(ctx, siblings, listedAt - MTIME_SLACK_MS, current);
        } finally {
          closeSiblings(siblings);
        }
      }
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
        checkpoints: [
          {
            path: this.path,
            adapter: result.adapter,
            dev: id.dev,
            ino: id.ino,
            offset: 0,
            size: id.size,
            headDigest: digest(''),
            headLength: 0,
            lines: 0,
            contentDigest: null,
            updatedAt: Date.now(),
          },
        ],
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
   * Reads what a rotation or truncation left outside the current file. `current` is the file
   * now at the path (null when the path is gone); `drained` the inode just finished, if any.
   * Returns when the rotated copies were listed, or null when there was nothing to look for.
   */
  private async recoverRotation(
    ctx: TailContext,
    current: { fd: number; dev: number; ino: number; size: number } | null,
    drained: Inode | null,
  ): Promise<number | null> {
    const cp = await ctx.store.getCheckpoint(this.path);
    if (cp === null) {
      // Never checkpointed: only a file seen before (empty) can have lost a generation.
      if (current === null || this.mode === 'document' || !this.looked) return null;
    } else if (cp.contentDigest !== null) return null;
    else if (
      current !== null &&
      sameInode(cp, current) &&
      cp.offset > 0 &&
      !truncatedSince(current.fd, current.size, cp)
    )
      return null;
    if (drained !== null) this.remember(drained);
    // Opened now, together: the writer may rotate again while these are read.
    const listedAt = Date.now();
    const readsBefore = this.reads;
    const siblings = openRotatedSiblings(this.path);
    try {
      if (cp === null) {
        // Never checkpointed (empty so far): a generation written and copied away since the
        // file was first seen is only in a copy modified since then.
        await this.readNewerSiblings(ctx, siblings, this.firstSeenAt - MTIME_SLACK_MS, current);
      } else if (current !== null && sameInode(cp, current)) {
        if (cp.offset === 0) {
          // Nothing read from this file yet, so no head to compare: lines written and copied
          // away since the checkpoint are only in a copy modified since.
          await this.readNewerSiblings(ctx, siblings, cp.updatedAt - MTIME_SLACK_MS, current);
        } else {
          // Copytruncate: what was written after the last read is only in the copy, which
          // starts with the head the checkpoint was taken on; read it from the old offset.
          let since: number | null = null;
          for (const copy of siblings) {
            if (sameInode(copy, current) || copy.size < cp.offset) continue;
            if (!headMatches(copy.fd, cp) || !atLineStart(copy.fd, cp.offset)) continue;
            await this.ingest(ctx, copy.fd, { offset: cp.offset, lines: cp.lines });
            this.remember(copy);
            since ??= copy.mtimeMs;
          }
          // Copies of later generations are newer than that copy; with no copy of this one
          // (truncated in place, then written and copied), newer than the checkpoint.
          since ??= cp.updatedAt - MTIME_SLACK_MS;
          await this.readNewerSiblings(ctx, siblings, since, current);
        }
      } else {
        // A different inode at the path (or none): the checkpoint's file was rotated away.
        // Without the old file's own time, anything modified since the checkpoint may be a
        // generation never read; re-reading more only finds duplicates.
        let since = cp.updatedAt - MTIME_SLACK_MS;
        const old = siblings.find((s) => sameInode(s, cp));
        if (drained !== null && sameInode(drained, cp)) since = drained.mtimeMs;
        else if (old !== undefined) {
          await this.ingest(ctx, old.fd);
          const after = fstatSync(old.fd);
          this.remember({ ...old, size: after.size, mtimeMs: after.mtimeMs });
          since = after.mtimeMs;
        }
        await this.readNewerSiblings(ctx, siblings, since, current);
      }
    } finally {
      closeSiblings(siblings);
    }
    // Reading let the writer run (commits yield): worth a second look afterwards.
    return this.reads > readsBefore ? listedAt : null;
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

  private async ingest(ctx: TailContext, fd: number, resumeAt?: ResumeAt): Promise<FileResult> {
    this.reads += 1;
    const totals = await ingestOpenFile(ctx.store, fd, this.path, {
      ...this.options(ctx, this.path),
      ...(resumeAt === undefined ? {} : { resumeAt }),
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
