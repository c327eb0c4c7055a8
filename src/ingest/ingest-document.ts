import { isUtf8 } from 'node:buffer';
import { readSync } from 'node:fs';

import { digest, logicalPathOf } from '../sources/shared/fields.js';
import type { DocumentAdapter } from '../sources/types.js';
import type { Store } from '../store/types.js';
import { HEAD_BYTES, type CommitFn, type Identity, type RejectFn } from './file-context.js';
import type { FileResult } from './ingest-files.js';

/**
 * Ingests a whole document (JSON report, YAML task, Markdown) when its content changed since
 * the last ingest; its events carry content-derived ids, so a re-read adds only what is new.
 */
export async function ingestDocument(
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
