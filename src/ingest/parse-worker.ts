/**
 * The parsing worker: reads a line file from an offset, parses and validates each line with
 * its adapter and posts encoded batches (flat arrays of primitives, which structured cloning
 * copies faster than a JSON round trip). At most two batches are in flight: the worker
 * waits for an `ack` from the writer, so memory stays bounded however large the file.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

import { createGenericJsonlAdapter } from '../sources/generic-jsonl/index.js';
import { parseGenericMapping } from '../sources/generic-jsonl/schema.js';
import { createAdapterRegistry } from '../sources/registry.js';
import type { LineAdapter } from '../sources/types.js';
import { LineReader } from './line-reader.js';
import { parseBatch, type ParsedBatch } from './parse-lines.js';

export interface ParseJob {
  file: string;
  logicalPath: string;
  adapter: string;
  /** Field mapping when `adapter` is a generic JSONL source. */
  mapping?: unknown;
  start: number;
  startLine: number;
  limit: number;
  maxLineBytes: number;
  batchEvents: number;
}

export type WorkerMessage =
  | { type: 'batch'; batch: ParsedBatch }
  | { type: 'done' }
  | { type: 'error'; message: string; code?: string };

const MAX_IN_FLIGHT = 2;

function adapterFor(job: ParseJob): LineAdapter {
  if (job.mapping !== undefined) {
    const parsed = parseGenericMapping(job.mapping);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    return createGenericJsonlAdapter(parsed.mapping);
  }
  const adapter = createAdapterRegistry().byName(job.adapter);
  if (adapter.mode !== 'lines') throw new Error(`${job.adapter} is not a line format`);
  return adapter;
}

async function run(job: ParseJob): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port.on('message', (m: unknown) => {
    if (m === 'ack') {
      inFlight -= 1;
      wake?.();
      wake = null;
    }
  });
  const adapter = adapterFor(job);
  const fd = openSync(job.file, 'r');
  try {
    const reader = new LineReader(fd, job.start, job.maxLineBytes, 4 << 20, job.limit);
    let line = job.startLine;
    for (;;) {
      const batch = parseBatch(
        reader,
        adapter,
        { file: job.file, logicalPath: job.logicalPath, maxLineBytes: job.maxLineBytes },
        line,
        job.batchEvents,
      );
      if (batch === null) break;
      line = batch.lines;
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      inFlight += 1;
      port.postMessage({ type: 'batch', batch } satisfies WorkerMessage);
    }
  } finally {
    closeSync(fd);
  }
  port.postMessage({ type: 'done' } satisfies WorkerMessage);
}

run(workerData as ParseJob).catch((error: unknown) => {
  parentPort?.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    code: (error as NodeJS.ErrnoException).code,
  } satisfies WorkerMessage);
});
