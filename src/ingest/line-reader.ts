import { readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';

/** One complete line of a file (without its `\n` or `\r\n`). */
export interface RawLine {
  /** The line's bytes; a view into a reused buffer, valid until the next `next()` call. */
  bytes: Buffer;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just past the line's `\n`: where the next line starts. */
  end: number;
  /** True when the whole read chunk is known to be valid UTF-8 (fast path). */
  utf8Checked: boolean;
  /** Set when the line exceeded the limit; `bytes` is then empty. */
  tooLong: boolean;
}

/**
 * Reads complete lines from a file descriptor from `offset` onward, in bounded memory: one
 * chunk buffer, lines over `maxLineBytes` skipped (reported, never buffered), and a partial
 * last line left unread until its newline arrives.
 */
export class LineReader {
  private buf: Buffer;
  /** Bytes [start, filled) of buf hold unread data beginning at file offset `bufOffset + start`. */
  private start = 0;
  private filled = 0;
  private bufOffset: number;
  private eof = false;
  private skipping = false;
  private skipFrom = 0;
  private chunkValid = false;

  constructor(
    private readonly fd: number,
    offset: number,
    private readonly maxLineBytes: number,
    chunkBytes = 4 << 20,
    /** Stop reading at this file offset (the size seen at open), so a growing file ends. */
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(chunkBytes, Math.min(maxLineBytes + 2, 64 << 20)));
    this.bufOffset = offset;
  }

  /** Offset just past the last complete line returned. */
  get position(): number {
    // Inside an over-long line still waiting for its newline: that line starts here, so a
    // checkpoint taken now stays on a line start and the line is rejected once complete.
    return this.skipping ? this.skipFrom : this.bufOffset + this.start;
  }

  next(): RawLine | null {
    for (;;) {
      const nl = this.buf.indexOf(0x0a, this.start);
      if (nl !== -1 && nl < this.filled) {
        const lineStart = this.start;
        const offset = this.bufOffset + lineStart;
        this.start = nl + 1;
        if (this.skipping) {
          this.skipping = false;
          return {
            bytes: this.buf.subarray(0, 0),
            offset: this.skipFrom,
            end: this.bufOffset + this.start,
            utf8Checked: true,
            tooLong: true,
          };
        }
        let stop = nl;
        if (stop > lineStart && this.buf[stop - 1] === 0x0d) stop -= 1;
        if (stop - lineStart > this.maxLineBytes) {
          return {
            bytes: this.buf.subarray(0, 0),
            offset,
            end: this.bufOffset + this.start,
            utf8Checked: true,
            tooLong: true,
          };
        }
        return {
          bytes: this.buf.subarray(lineStart, stop),
          offset,
          end: this.bufOffset + this.start,
          utf8Checked: this.chunkValid,
          tooLong: false,
        };
      }
      if (this.eof) return null;
      this.fill();
    }
  }

  private fill(): void {
    const pending = this.filled - this.start;
    if (this.skipping || pending > this.maxLineBytes) {
      // Over-long line: drop what we have and keep scanning for its end.
      if (!this.skipping) {
        this.skipping = true;
        this.skipFrom = this.bufOffset + this.start;
      }
      this.bufOffset += this.filled;
      this.start = 0;
      this.filled = 0;
    } else if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.filled);
      this.bufOffset += this.start;
      this.start = 0;
      this.filled = pending;
    }
    const room = this.buf.length - this.filled;
    const want = Math.min(room, this.limit - (this.bufOffset + this.filled));
    if (want <= 0) {
      this.eof = true;
      return;
    }
    const n = readSync(this.fd, this.buf, this.filled, want, this.bufOffset + this.filled);
    if (n === 0) {
      this.eof = true;
      return;
    }
    this.filled += n;
    this.chunkValid = isUtf8(this.buf.subarray(this.start, this.filled));
  }
}
