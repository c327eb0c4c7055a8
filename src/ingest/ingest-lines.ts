import { fstatSync, readSync } from 'node:fs';

import { digest, logicalPathOf } from '../sources/shared/fields.js';
import { BUILTIN_ADAPTERS } from '../sources/registry.js';
import type { LineAdapter } from '../sources/types.js';
import type { Checkpoint, Store } from '../store/types.js';
import type { CommitFn, Identity, RejectFn } from './file-context.js';
import type { FileResult, IngestOptions, ResumeAt } from './ingest-files.js';
import { LineReader } from './line-reader.js';
import { parseBatch, type ParsedBatch } from './parse-lines.js';
import { resumePoint } from './resume-point.js';
import { workerBatches } from './worker-batches.js';

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

/**
 * Ingests a JSONL file from its checkpoint: batches of parsed lines, each committed with the
 * checkpoint just past its last line.
 */
export async function ingestLines(
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
  /** Start here instead of at the checkpoint (see `ingestOpenFile`). */
  resumeAt?: ResumeAt,
): Promise<void> {
  const start =
    resumeAt === undefined
      ? await resumePoint(store, fd, path, id, head)
      : {
          offset: resumeAt.offset,
          lines: resumeAt.lines,
          note: `reading on from offset ${resumeAt.offset} (rotated copy)`,
        };
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
  let cut = false;
  let eventsSoFar = 0;
  for await (const batch of batches) {
    if (truncatedWhileRead(fd, head, batch.end)) {
      // Bytes read after a truncation are not this file's lines at these offsets: keep
      // nothing of this batch; the next pass starts from the last checkpoint.
      cut = true;
      result.note = 'truncated while being read; the rest is read on the next pass';
      break;
    }
    for (const r of batch.rejects) reject(r.line, r.reason, r.message);
    // Events still to come, at this file's bytes per event so far (lets the store size its
    // dedupe index once for a big file).
    const perEvent = (batch.end - start.offset) / Math.max(1, eventsSoFar + batch.encoded.count);
    eventsSoFar += batch.encoded.count;
    const expected = batch.encoded.count + Math.ceil((id.size - batch.end) / perEvent);
    await commit(batch.encoded, checkpointAt(batch.end, batch.lines), expected);
    result.bytesRead += batch.end - end;
    end = batch.end;
    lines = batch.lines;
    options.onProgress?.({ file: path, bytesDone: end - start.offset });
    if (options.signal?.aborted) break;
  }
  if (end === start.offset && start.note !== null)
    await commit({ count: 0, values: [] }, checkpointAt(end, lines));
  result.lines = lines - start.lines;
  result.partialLine = end < id.size && !options.signal?.aborted && !cut;
}

/** True when the file is now shorter than `end` or no longer starts with `head`. */
function truncatedWhileRead(fd: number, head: Buffer, end: number): boolean {
  if (fstatSync(fd).size < end) return true;
  if (head.length === 0) return false;
  const now = Buffer.alloc(head.length);
  return readSync(fd, now, 0, now.length, 0) !== now.length || !now.equals(head);
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
