import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { fromSystemError } from '../../core/errors.js';

/**
 * Writes a file atomically: chunks go to a temporary file beside it, which is fsynced and
 * renamed over the target only when complete. On any failure (disk full, permission) the
 * temporary file is removed and the original stays as it was.
 */
export async function writeFileAtomic(
  path: string,
  chunks: AsyncIterable<string> | Iterable<string>,
): Promise<number> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | null = null;
  let bytes = 0;
  try {
    fd = openSync(tmp, 'w', 0o644);
    let pending: string[] = [];
    let pendingLen = 0;
    const flush = () => {
      if (pendingLen === 0 || fd === null) return;
      const buf = Buffer.from(pending.join(''), 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      bytes += buf.length;
      pending = [];
      pendingLen = 0;
    };
    for await (const chunk of chunks) {
      pending.push(chunk);
      pendingLen += chunk.length;
      if (pendingLen > 1 << 20) flush();
    }
    flush();
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
    return bytes;
  } catch (error) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw fromSystemError(error, path, 'write the output file');
  }
}
