import { isUtf8 } from 'node:buffer';

import { createBatchFold, foldEncodedEvent } from '../core/batch-fold.js';
import { encodeInto, STRIDE, type EncodedEvents } from '../core/encoded.js';
import type { VigilEvent } from '../core/event.js';
import { parseLineText } from '../sources/parse-line.js';
import type { LineAdapter, RejectReason } from '../sources/types.js';
import type { LineReader } from './line-reader.js';
import { PackedBuilder, type PackedBuffers, type PackedEvents } from './packed-batch.js';

/** A rejected line, as reported: `file:line: message`. */
export interface LineReject {
  line: number;
  reason: RejectReason;
  message: string;
}

/** One batch of parsed lines: encoded events, rejects, and where the batch ends. */
export interface ParsedBatch {
  encoded: EncodedEvents;
  rejects: LineReject[];
  /** Offset just past the last complete line consumed. */
  end: number;
  /** Line number of the last line consumed. */
  lines: number;
}

/** A parsed batch as the worker posts it: events packed, fold left to the writer. */
export type PackedBatch = Omit<ParsedBatch, 'encoded'> & { packed: PackedEvents };

/**
 * Reads and parses lines until `batchEvents` events are collected or the reader is exhausted,
 * and folds the batch (tasks, rollups, sessions): the in-thread path. The line handling is
 * shared with the parsing worker's {@link parsePackedBatch}, so both behave identically.
 */
export function parseBatch(
  reader: LineReader,
  adapter: LineAdapter,
  where: { file: string; logicalPath: string; maxLineBytes: number },
  startLine: number,
  batchEvents: number,
): ParsedBatch | null {
  const fold = createBatchFold();
  const encoded: EncodedEvents = { count: 0, values: [], fold };
  const read = parseLines(reader, adapter, where, startLine, batchEvents, (e) => {
    encodeInto(encoded, e);
    foldEncodedEvent(fold, encoded.values, (encoded.count - 1) * STRIDE);
    return encoded.count;
  });
  return read === null ? null : { encoded, ...read };
}

/**
 * As {@link parseBatch}, with the events packed for posting to another thread (see
 * `PackedBuilder`) and no fold: each event is encoded into one reused slice, so a batch keeps
 * only its packed form alive. `reuse`: buffers of a batch the consumer has handed back.
 */
export function parsePackedBatch(
  reader: LineReader,
  adapter: LineAdapter,
  where: { file: string; logicalPath: string; maxLineBytes: number },
  startLine: number,
  batchEvents: number,
  reuse?: PackedBuffers,
): PackedBatch | null {
  const builder = new PackedBuilder(batchEvents, reuse);
  const scratch: EncodedEvents = { count: 0, values: new Array<unknown>(STRIDE) };
  const read = parseLines(reader, adapter, where, startLine, batchEvents, (e) => {
    scratch.count = 0;
    encodeInto(scratch, e);
    builder.add(scratch.values, 0);
    return builder.count;
  });
  return read === null ? null : { packed: builder.finish(), ...read };
}

/** Parses lines, handing each event to `add` (which answers the batch's event count). */
function parseLines(
  reader: LineReader,
  adapter: LineAdapter,
  where: { file: string; logicalPath: string; maxLineBytes: number },
  startLine: number,
  batchEvents: number,
  add: (e: VigilEvent) => number,
): Omit<ParsedBatch, 'encoded'> | null {
  const rejects: LineReject[] = [];
  let lineNo = startLine;
  let any = false;
  let count = 0;
  for (let raw = reader.next(); raw !== null; raw = count >= batchEvents ? null : reader.next()) {
    any = true;
    lineNo += 1;
    if (raw.tooLong) {
      rejects.push({
        line: lineNo,
        reason: 'line_too_long',
        message: `line longer than ${where.maxLineBytes} bytes; skipped`,
      });
      continue;
    }
    if (raw.bytes.length === 0) continue;
    if (!raw.utf8Checked && !isUtf8(raw.bytes)) {
      rejects.push({ line: lineNo, reason: 'invalid_utf8', message: 'line is not valid UTF-8' });
      continue;
    }
    const text = raw.bytes.toString('utf8');
    const first = text.charCodeAt(0);
    // Blank lines (spaces, a stray CR, a lone BOM) are skipped, not rejected.
    if ((first <= 0x20 || first === 0xfeff) && text.trim() === '') continue;
    const r = parseLineText(adapter, text, {
      file: where.file,
      logicalPath: where.logicalPath,
      line: lineNo,
      offset: raw.offset,
    });
    if (r.ok) {
      for (const e of r.events) count = add(e);
    } else {
      rejects.push({ line: lineNo, reason: r.reject.reason, message: r.reject.message });
    }
  }
  if (!any) return null;
  return { rejects, end: reader.position, lines: lineNo };
}
