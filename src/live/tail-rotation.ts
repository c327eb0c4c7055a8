import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { digest, logicalPathOf } from '../sources/shared/fields.js';
import type { Checkpoint } from '../store/types.js';

/** A file's identity on disk. */
export interface FileId {
  dev: number;
  ino: number;
}

export function sameInode(a: FileId, b: FileId): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * The checkpoint of a line file seen with nothing complete to read (empty, or a partial
 * line): it records when the file was seen, so that a generation copied away before the next
 * look is found among the copies modified since.
 */
export function seenEmptyCheckpoint(
  path: string,
  adapter: string,
  id: { dev: number; ino: number; size: number },
): Checkpoint {
  return {
    path,
    adapter,
    dev: id.dev,
    ino: id.ino,
    offset: 0,
    size: id.size,
    headDigest: digest(''),
    headLength: 0,
    lines: 0,
    contentDigest: null,
    updatedAt: Date.now(),
  };
}

/**
 * A file beside a tailed one that belongs to the same stream (`events.jsonl.1`, `-20260101`),
 * open: rotations go on while it is read, and its name may by then belong to another file.
 */
export interface Sibling {
  /** Its name when listed. */
  path: string;
  fd: number;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** At most this many rotated copies are looked at (the most recently modified). */
const MAX_SIBLINGS = 256;

/**
 * The rotated copies of `path` in its folder, opened: regular files with the same logical
 * path (rotation suffix removed), compressed ones left out, oldest modification first. The
 * caller closes them (`closeSiblings`).
 *
 * @example
 * const siblings = openRotatedSiblings('/x/events.jsonl'); // events.jsonl.2, events.jsonl.1
 * try { ... } finally { closeSiblings(siblings); }
 */
export function openRotatedSiblings(path: string): Sibling[] {
  const dir = dirname(path);
  const own = basename(path);
  const logical = logicalPathOf(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: { path: string; mtimeMs: number }[] = [];
  for (const name of names) {
    if (name === own || name.endsWith('.gz')) continue;
    const p = join(dir, name);
    if (logicalPathOf(p) !== logical) continue;
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isFile() === true) found.push({ path: p, mtimeMs: st.mtimeMs });
  }
  found.sort((a, b) => a.mtimeMs - b.mtimeMs);
  const out: Sibling[] = [];
  for (const { path: p } of found.slice(-MAX_SIBLINGS)) {
    let fd: number;
    try {
      fd = openSync(p, 'r');
    } catch {
      continue;
    }
    const st = fstatSync(fd);
    out.push({ path: p, fd, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

export function closeSiblings(siblings: readonly Sibling[]): void {
  for (const s of siblings) closeSync(s.fd);
}

/** True when the file's first `cp.headLength` bytes are the ones the checkpoint was taken on. */
export function headMatches(fd: number, cp: Checkpoint): boolean {
  if (!Number.isSafeInteger(cp.headLength) || cp.headLength < 0) return false;
  const head = Buffer.alloc(cp.headLength);
  let got = 0;
  while (got < head.length) {
    const n = readSync(fd, head, got, head.length - got, got);
    if (n === 0) return false;
    got += n;
  }
  return digest(head.toString('latin1')) === cp.headDigest;
}

/** True when `offset` starts a line (offset 0, or the byte before it is `\n`). */
export function atLineStart(fd: number, offset: number): boolean {
  if (offset === 0) return true;
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, offset - 1) === 1 && b[0] === 0x0a;
}

/**
 * True when the file the checkpoint was taken on (same inode) no longer holds what was read:
 * it is shorter than the checkpoint, or its head changed (truncated and written again).
 */
export function truncatedSince(fd: number, size: number, cp: Checkpoint): boolean {
  return size < cp.offset || !headMatches(fd, cp);
}
