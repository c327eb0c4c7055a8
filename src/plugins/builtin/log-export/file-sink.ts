import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import { PartialSendError, type RecordTransport } from './record-pump.js';

export interface FileSinkOptions {
  /** The active file; rotated files are `<path>.1` (newest) to `<path>.<maxFiles>`. */
  path: string;
  /** A file is rotated before a write would take it past this size. */
  maxBytes: number;
  /** Rotated files kept besides the active one; the oldest beyond is overwritten. */
  maxFiles: number;
}

const inodeOf = async (path: string): Promise<number | null> => {
  try {
    return (await stat(path)).ino;
  } catch {
    return null;
  }
};

/**
 * Appends newline-terminated records to a file, rotating by size: before a record would take
 * the file past `maxBytes`, the files shift by rename (`<path>.<n>` → `<path>.<n+1>`, ...,
 * `<path>` → `<path>.1`) and a new `<path>` is opened. Only whole records are written and a
 * record is written to exactly one file, so rotation never splits, loses or repeats a line; a
 * record larger than `maxBytes` gets a file of its own. A file moved or deleted by someone else
 * is noticed at the next batch and `<path>` opened afresh. A failed write trims what it wrote
 * partially and rejects with the number of records written before it.
 *
 * @example
 * const sink = createFileSink({ path: '/var/log/vigil.jsonl', maxBytes: 10 << 20, maxFiles: 5 });
 * await sink.send([Buffer.from('{"level":"INFO"}\n')]);
 * await sink.close();
 */
export function createFileSink(options: FileSinkOptions): RecordTransport {
  const { path, maxBytes, maxFiles } = options;
  let handle: FileHandle | null = null;
  let inode = -1;
  let size = 0;

  async function closeActive(): Promise<void> {
    const h = handle;
    handle = null;
    await h?.close();
  }

  async function openActive(): Promise<FileHandle> {
    if (handle) return handle;
    await mkdir(dirname(path), { recursive: true });
    const h = await open(path, 'a', 0o640);
    const st = await h.stat();
    size = st.size;
    inode = st.ino;
    handle = h;
    return h;
  }

  async function rotate(): Promise<void> {
    await closeActive();
    // Rotated files run .1, .2, ... without gaps: shift those that exist, the last one onto
    // `.<maxFiles>` (which it replaces, dropping the oldest).
    let last = 0;
    while (last < maxFiles - 1 && (await inodeOf(`${path}.${last + 1}`)) !== null) last += 1;
    for (let n = last; n >= 1; n -= 1) await rename(`${path}.${n}`, `${path}.${n + 1}`);
    await rename(path, `${path}.1`);
  }

  async function writeAll(h: FileHandle, chunk: Buffer): Promise<void> {
    const before = size;
    try {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await h.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
      size += chunk.length;
    } catch (error) {
      // Keep the file made of whole lines: cut a partial write back off before the retry.
      await h.truncate(before).catch(() => {});
      throw error;
    }
  }

  async function sendAll(batch: readonly Buffer[], progress: { done: number }): Promise<void> {
    if (handle && (await inodeOf(path)) !== inode) await closeActive();
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for (const record of batch) {
      const h = await openActive();
      if (size + pendingBytes + record.length > maxBytes && size + pendingBytes > 0) {
        if (pending.length > 0) await writeAll(h, Buffer.concat(pending));
        progress.done += pending.length;
        pending = [];
        pendingBytes = 0;
        await rotate();
        await openActive();
      }
      pending.push(record);
      pendingBytes += record.length;
    }
    if (pending.length > 0) await writeAll(await openActive(), Buffer.concat(pending));
    progress.done += pending.length;
  }

  return {
    description: `file ${path}`,
    async send(batch) {
      const progress = { done: 0 };
      try {
        await sendAll(batch, progress);
      } catch (error) {
        await closeActive().catch(() => {});
        throw new PartialSendError(progress.done, error);
      }
    },
    close: closeActive,
  };
}
