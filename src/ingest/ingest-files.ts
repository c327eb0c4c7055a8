import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import type { EncodedEvents } from '../core/encoded.js';
import { fromSystemError, VigilError } from '../core/errors.js';
import type { VigilEvent } from '../core/event.js';
import type { AdapterRegistry } from '../sources/registry.js';
import type { RejectReason, SourceAdapter } from '../sources/types.js';
import type { Checkpoint, IngestBatchResult, Store } from '../store/types.js';
import { HEAD_BYTES } from './file-context.js';
import { ingestDocument } from './ingest-document.js';
import { ingestLines } from './ingest-lines.js';

export interface IngestOptions {
  registry: AdapterRegistry;
  /** Force this adapter for every file instead of detecting. */
  format?: string;
  /** Lines longer than this are rejected (`line_too_long`) without being buffered. */
  maxLineBytes?: number;
  /** Events per transaction. */
  batchEvents?: number;
  /** Parse line files in a worker thread: never (default), auto (8 MiB or more to read), always. */
  parseWorker?: 'never' | 'auto' | 'always';
  /** Files found by walking a folder or glob: undetected ones are skipped quietly. */
  discovered?: ReadonlySet<string>;
  onProgress?: (progress: { file: string; bytesDone: number }) => void;
  onReject?: (reject: RejectReport) => void;
  /**
   * Called after each commit with the newly stored events (the live bus hooks in here). Read
   * `result.committed` during the call: a file parsed in the worker reuses a batch's memory
   * for the next one, so reading it later throws.
   */
  onCommit?: (result: IngestBatchResult) => void;
  /** Stops between batches; everything committed so far is kept and checkpointed. */
  signal?: AbortSignal;
}

export interface RejectReport {
  file: string;
  line: number | null;
  reason: RejectReason;
  message: string;
}

export type FileStatus = 'ingested' | 'unchanged' | 'undetected' | 'error';

export interface FileResult {
  path: string;
  adapter: string | null;
  status: FileStatus;
  bytesRead: number;
  lines: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  /** A last line without its newline is waiting (read once the newline is written). */
  partialLine: boolean;
  note: string | null;
  error: VigilError | null;
}

export interface IngestTotals {
  files: FileResult[];
  inserted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  rejectsByReason: Partial<Record<RejectReason, number>>;
  bytesRead: number;
}

function emptyResult(path: string): FileResult {
  return {
    path,
    adapter: null,
    status: 'ingested',
    bytesRead: 0,
    lines: 0,
    inserted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    partialLine: false,
    note: null,
    error: null,
  };
}

/**
 * Ingests files exactly once: reads each from its checkpoint, parses with its adapter, and
 * commits events together with the new checkpoint in one transaction per batch.
 *
 * @example
 * const totals = await ingestFiles(store, ['/repo/.droid/kpis.jsonl'], { registry });
 */
export async function ingestFiles(
  store: Store,
  paths: readonly string[],
  options: IngestOptions,
): Promise<IngestTotals> {
  const totals: IngestTotals = {
    files: [],
    inserted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    rejectsByReason: {},
    bytesRead: 0,
  };
  for (const path of paths) {
    if (options.signal?.aborted) break;
    const result = await ingestFile(store, path, options, totals);
    totals.files.push(result);
    totals.inserted += result.inserted;
    totals.duplicates += result.duplicates;
    totals.conflicts += result.conflicts;
    totals.rejected += result.rejected;
    totals.bytesRead += result.bytesRead;
  }
  return totals;
}

async function ingestFile(
  store: Store,
  path: string,
  options: IngestOptions,
  totals: IngestTotals,
): Promise<FileResult> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const result = emptyResult(path);
    result.status = 'error';
    result.error = fromSystemError(error, path, 'read the file');
    return result;
  }
  try {
    return await ingestDescriptor(store, fd, path, options, totals, undefined);
  } finally {
    closeSync(fd);
  }
}

/** Where to start a line file instead of its checkpoint: offset of a line start, lines before. */
export interface ResumeAt {
  offset: number;
  lines: number;
}

/**
 * Ingests one file through a descriptor the caller opened and keeps (it is not closed here),
 * under `path`: the path names its checkpoint and its events' source file. The live tailer
 * holds the descriptor of the inode it is reading, so a file renamed away or deleted while
 * tailed is still read to its end under its own path. `resumeAt` starts a line file at that
 * offset instead of its checkpoint (a rotated copy read on from where the original was left).
 *
 * @example
 * const fd = openSync('/repo/.droid/kpis.jsonl', 'r');
 * const totals = await ingestOpenFile(store, fd, '/repo/.droid/kpis.jsonl', { registry });
 */
export async function ingestOpenFile(
  store: Store,
  fd: number,
  path: string,
  options: IngestOptions & { resumeAt?: ResumeAt },
): Promise<IngestTotals> {
  const totals: IngestTotals = {
    files: [],
    inserted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    rejectsByReason: {},
    bytesRead: 0,
  };
  const result = await ingestDescriptor(store, fd, path, options, totals, options.resumeAt);
  totals.files.push(result);
  totals.inserted = result.inserted;
  totals.duplicates = result.duplicates;
  totals.conflicts = result.conflicts;
  totals.rejected = result.rejected;
  totals.bytesRead = result.bytesRead;
  return totals;
}

async function ingestDescriptor(
  store: Store,
  fd: number,
  path: string,
  options: IngestOptions,
  totals: IngestTotals,
  resumeAt: ResumeAt | undefined,
): Promise<FileResult> {
  const result = emptyResult(path);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      result.status = 'undetected';
      result.note = 'not a regular file';
      return result;
    }
    const head = Buffer.alloc(Math.min(HEAD_BYTES, stat.size));
    if (head.length > 0) readSync(fd, head, 0, head.length, 0);
    const adapter = pickAdapter(path, head, options, result);
    if (adapter === null) return result;
    result.adapter = adapter.name;
    const reject = (line: number | null, reason: RejectReason, message: string) => {
      result.rejected += 1;
      totals.rejectsByReason[reason] = (totals.rejectsByReason[reason] ?? 0) + 1;
      options.onReject?.({ file: path, line, reason, message });
    };
    const commit = async (
      events: readonly VigilEvent[] | EncodedEvents,
      checkpoint: Checkpoint,
      expectedEvents?: number,
    ) => {
      const r = await store.ingest(
        Array.isArray(events)
          ? { events, checkpoints: [checkpoint], expectedEvents }
          : { encoded: events as EncodedEvents, checkpoints: [checkpoint], expectedEvents },
      );
      result.inserted += r.inserted;
      result.duplicates += r.duplicates;
      result.conflicts += r.conflicts;
      if (options.onCommit !== undefined) {
        let open = true;
        options.onCommit({
          inserted: r.inserted,
          duplicates: r.duplicates,
          conflicts: r.conflicts,
          firstSeq: r.firstSeq,
          get committed() {
            if (!open) throw new Error('read IngestBatchResult.committed inside onCommit');
            return r.committed;
          },
        });
        open = false;
      }
    };
    const identity = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
    if (adapter.mode === 'document') {
      await ingestDocument(fd, path, adapter, identity, store, result, reject, commit);
    } else {
      await ingestLines(
        fd,
        path,
        adapter,
        identity,
        head,
        store,
        options,
        result,
        reject,
        commit,
        resumeAt,
      );
    }
    return result;
  } catch (error) {
    if (
      error instanceof VigilError &&
      error.code !== 'VIGIL_ERR_DISK' &&
      error.code !== 'VIGIL_ERR_PERMISSION' &&
      error.code !== 'VIGIL_ERR_FILE_NOT_FOUND'
    )
      throw error;
    if (error instanceof VigilError) {
      result.status = 'error';
      result.error = error;
      return result;
    }
    if ((error as NodeJS.ErrnoException).code) {
      result.status = 'error';
      result.error = fromSystemError(error, path, 'read the file');
      return result;
    }
    throw error;
  }
}

function pickAdapter(
  path: string,
  head: Buffer,
  options: IngestOptions,
  result: FileResult,
): SourceAdapter | null {
  if (options.format !== undefined) return options.registry.byName(options.format);
  const adapter = options.registry.detect(path, head.toString('utf8'));
  if (adapter === null) {
    result.status = 'undetected';
    result.note = options.discovered?.has(path)
      ? 'skipped: no adapter recognises this file'
      : `no adapter recognises this file; pass --format NAME (see \`vigil formats\`)`;
  }
  return adapter;
}
