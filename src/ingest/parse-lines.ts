import { isUtf8 } from 'node:buffer';

import { createBatchFold, foldEncodedEvent } from '../core/batch-fold.js';
import { encodeInto, STRIDE, type EncodedEvents } from '../core/encoded.js';
import { parseLineText } from '../sources/parse-line.js';
import type { LineAdapter, RejectReason } from '../sources/types.js';
import type { LineReader } from './line-reader.js';

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

/**
 * Reads and parses lines until `batchEvents` events are collected or the reader is exhausted.
 * Shared by the in-thread path and the parsing worker so both behave identically. The batch's
 * task, rollup and session fold is computed here too, so that with a worker it is off the
 * writer's thread.
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
  const rejects: LineReject[] = [];
  let lineNo = startLine;
  let any = false;
  for (
    let raw = reader.next();
    raw !== null;
    raw = encoded.count >= batchEvents ? null : reader.next()
  ) {
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
      for (const e of r.events) {
        encodeInto(encoded, e);
        foldEncodedEvent(fold, encoded.values, (encoded.count - 1) * STRIDE);
      }
    } else {
      rejects.push({ line: lineNo, reason: r.reject.reason, message: r.reject.message });
    }
  }
  if (!any) return null;
  return { encoded, rejects, end: reader.position, lines: lineNo };
}
