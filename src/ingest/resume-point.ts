import { readSync } from 'node:fs';

import { digest } from '../sources/shared/fields.js';
import type { Checkpoint, Store } from '../store/types.js';
import type { Identity } from './file-context.js';

/** True when the byte just before `offset` ends a line (a checkpoint must sit on a line start). */
function atLineStart(fd: number, offset: number): boolean {
  if (offset === 0) return true;
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, offset - 1) === 1 && b[0] === 0x0a;
}

/** Where to resume a line file: its checkpoint if it is still the same file, else 0. */
export async function resumePoint(
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
