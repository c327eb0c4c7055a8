import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import type { EncodedEvents } from '../core/encoded.js';
import { fromSystemError, VigilError } from '../core/errors.js';
import type { VigilEvent } from '../core/event.js';
import { BUILTIN_ADAPTERS, type AdapterRegistry } from '../sources/registry.js';
import { digest, logicalPathOf } from '../sources/shared/fields.js';
import type {
  DocumentAdapter,
  LineAdapter,
  RejectReason,
  SourceAdapter,
} from '../sources/types.js';
import type { Checkpoint, IngestBatchResult, Store } from '../store/types.js';
import { LineReader } from './line-reader.js';
import { parseBatch, type ParsedBatch } from './parse-lines.js';
import { workerBatches } from './worker-batches.js';

const HEAD_BYTES = 4096;

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
  /** Called after each commit with the newly stored events (the live bus hooks in here). */
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
  const result = emptyResult(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    result.status = 'error';
    result.error = fromSystemError(error, path, 'read the file');
    return result;
  }
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
    ) => {
      const r = await store.ingest(
        Array.isArray(events)
          ? { events, checkpoints: [checkpoint] }
          : { encoded: events as EncodedEvents, checkpoints: [checkpoint] },
      );
      result.inserted += r.inserted;
      result.duplicates += r.duplicates;
      result.conflicts += r.conflicts;
      options.onCommit?.(r);
    };
    const identity = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
    if (adapter.mode === 'document') {
      await ingestDocument(fd, path, adapter, identity, store, result, reject, commit);
    } else {
      await ingestLines(fd, path, adapter, identity, head, store, options, result, reject, commit);
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
  } finally {
    closeSync(fd);
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

type RejectFn = (line: number | null, reason: RejectReason, message: string) => void;
type CommitFn = (
  events: readonly VigilEvent[] | EncodedEvents,
  checkpoint: Checkpoint,
) => Promise<void>;
interface Identity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** True when the byte just before `offset` ends a line (a checkpoint must sit on a line start). */
function atLineStart(fd: number, offset: number): boolean {
  if (offset === 0) return true;
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, offset - 1) === 1 && b[0] === 0x0a;
}

/** Where to resume a line file: its checkpoint if it is still the same file, else 0. */
async function resumePoint(
  store: Store,
  fd: number,
  path: string,
  id: Identity,
  head: Buffer,
): Promise<{ offset: number; lines: number; note: string | null }> {
  const valid = (cp: Checkpoint) =>
    Number.isSafeInteger(cp.offset) &&
    cp.offset >= 0 &&
    cp.offset <= id.size &&
    Number.isSafeInteger(cp.lines) &&
    cp.lines >= 0 &&
    Number.isSafeInteger(cp.headLength) &&
    cp.headLength >= 0 &&
    cp.headLength <= head.length &&
    atLineStart(fd, cp.offset);
  const sameFile = (cp: Checkpoint) =>
    cp.dev === id.dev &&
    cp.ino === id.ino &&
    digest(head.subarray(0, cp.headLength).toString('latin1')) === cp.headDigest;
  const again = 'ids prevent duplicates';
  const cp = await store.getCheckpoint(path);
  if (cp !== null) {
    if (cp.dev !== id.dev || cp.ino !== id.ino)
      return {
        offset: 0,
        lines: 0,
        note: `re-reading from the start: a new file replaced it since the last ingest (${again})`,
      };
    if (id.size < cp.offset)
      return {
        offset: 0,
        lines: 0,
        note: `re-reading from the start: it was truncated since the last ingest (${again})`,
      };
    if (!valid(cp))
      return {
        offset: 0,
        lines: 0,
        note: `re-reading from the start: its checkpoint is damaged (${again})`,
      };
    if (!sameFile(cp))
      return {
        offset: 0,
        lines: 0,
        note: `re-reading from the start: its content changed since the last ingest (${again})`,
      };
    return { offset: cp.offset, lines: cp.lines, note: null };
  }
  const renamed = await store.findCheckpointByInode(id.dev, id.ino);
  if (renamed !== null && renamed.path !== path && valid(renamed) && sameFile(renamed)) {
    return {
      offset: renamed.offset,
      lines: renamed.lines,
      note: `continuing from ${renamed.path} (renamed)`,
    };
  }
  if (await store.hasEventsFrom(path)) {
    return {
      offset: 0,
      lines: 0,
      note: `re-reading from the start: events from it are stored but its checkpoint is missing (${again})`,
    };
  }
  return { offset: 0, lines: 0, note: null };
}

/** With `parseWorker: 'auto'`, files with at least this much to read are parsed in a worker. */
const WORKER_MIN_BYTES = 8 << 20;

function useWorker(
  mode: IngestOptions['parseWorker'],
  adapter: LineAdapter,
  bytes: number,
): boolean {
  if (mode === undefined || mode === 'never' || !BUILTIN_ADAPTERS.includes(adapter)) return false;
  return mode === 'always' || bytes >= WORKER_MIN_BYTES;
}

async function ingestLines(
  fd: number,
  path: string,
  adapter: LineAdapter,
  id: Identity,
  head: Buffer,
  store: Store,
  options: IngestOptions,
  result: FileResult,
  reject: RejectFn,
  commit: CommitFn,
): Promise<void> {
  const start = await resumePoint(store, fd, path, id, head);
  result.note = start.note;
  if (start.offset === id.size && start.note === null) {
    result.status = 'unchanged';
    return;
  }
  const logicalPath = logicalPathOf(path);
  const maxLineBytes = options.maxLineBytes ?? 1 << 20;
  const batchEvents = options.batchEvents ?? 5_000;
  const checkpointAt = (offset: number, lines: number): Checkpoint => {
    const headLength = Math.min(offset, head.length);
    return {
      path,
      adapter: adapter.name,
      dev: id.dev,
      ino: id.ino,
      offset,
      size: id.size,
      headDigest: digest(head.subarray(0, headLength).toString('latin1')),
      headLength,
      lines,
      contentDigest: null,
      updatedAt: Date.now(),
    };
  };
  const batches: AsyncIterable<ParsedBatch> | Iterable<ParsedBatch> = useWorker(
    options.parseWorker,
    adapter,
    id.size - start.offset,
  )
    ? workerBatches({
        file: path,
        logicalPath,
        adapter: adapter.name,
        start: start.offset,
        startLine: start.lines,
        limit: id.size,
        maxLineBytes,
        batchEvents,
      })
    : inThreadBatches(
        fd,
        adapter,
        { file: path, logicalPath, maxLineBytes },
        start,
        id.size,
        batchEvents,
      );
  let end = start.offset;
  let lines = start.lines;
  for await (const batch of batches) {
    for (const r of batch.rejects) reject(r.line, r.reason, r.message);
    await commit(batch.encoded, checkpointAt(batch.end, batch.lines));
    result.bytesRead += batch.end - end;
    end = batch.end;
    lines = batch.lines;
    options.onProgress?.({ file: path, bytesDone: end - start.offset });
    if (options.signal?.aborted) break;
  }
  if (end === start.offset && start.note !== null)
    await commit({ count: 0, values: [] }, checkpointAt(end, lines));
  result.lines = lines - start.lines;
  result.partialLine = end < id.size && !options.signal?.aborted;
}

function* inThreadBatches(
  fd: number,
  adapter: LineAdapter,
  where: { file: string; logicalPath: string; maxLineBytes: number },
  start: { offset: number; lines: number },
  limit: number,
  batchEvents: number,
): Generator<ParsedBatch> {
  const reader = new LineReader(fd, start.offset, where.maxLineBytes, 4 << 20, limit);
  let line = start.lines;
  for (;;) {
    const batch = parseBatch(reader, adapter, where, line, batchEvents);
    if (batch === null) return;
    line = batch.lines;
    yield batch;
  }
}

async function ingestDocument(
  fd: number,
  path: string,
  adapter: DocumentAdapter,
  id: Identity,
  store: Store,
  result: FileResult,
  reject: RejectFn,
  commit: CommitFn,
): Promise<void> {
  if (id.size > adapter.maxBytes) {
    reject(
      null,
      'document_too_large',
      `document is ${id.size} bytes; the ${adapter.name} format accepts at most ${adapter.maxBytes}`,
    );
    return;
  }
  const buf = Buffer.alloc(id.size);
  let got = 0;
  while (got < id.size) {
    const n = readSync(fd, buf, got, id.size - got, got);
    if (n === 0) break;
    got += n;
  }
  const content = buf.subarray(0, got);
  const contentDigest = digest(content.toString('latin1'));
  const cp = await store.getCheckpoint(path);
  if (cp !== null && cp.contentDigest === contentDigest) {
    result.status = 'unchanged';
    return;
  }
  if (!isUtf8(content)) {
    reject(null, 'invalid_utf8', 'document is not valid UTF-8');
    return;
  }
  let text = content.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = adapter.parseDocument(text, {
    file: path,
    logicalPath: logicalPathOf(path),
    mtimeMs: Math.round(id.mtimeMs),
    previousDigest: cp?.contentDigest ?? null,
  });
  for (const r of parsed.rejects) reject(r.line, r.reason, r.message);
  const headLength = Math.min(got, HEAD_BYTES);
  await commit(parsed.events, {
    path,
    adapter: adapter.name,
    dev: id.dev,
    ino: id.ino,
    offset: got,
    size: got,
    headDigest: digest(content.subarray(0, headLength).toString('latin1')),
    headLength,
    lines: 0,
    contentDigest,
    updatedAt: Date.now(),
  });
  result.bytesRead = got;
}
