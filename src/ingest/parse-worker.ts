/**
 * The parsing worker: reads a line file from an offset, parses and validates each line with
 * its adapter and posts packed batches (see packed-batch.ts: typed arrays, transferred, and a
 * dictionary of the batch's strings). At most two batches are in flight: the worker waits for
 * an ack from the writer, so memory stays bounded however large the file. An ack may hand a
 * batch's typed arrays back, to be filled again rather than allocated anew.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

import type { LineAdapter } from '../sources/types.js';
import { LineReader } from './line-reader.js';
import { transferablesOf, type PackedBuffers } from './packed-batch.js';
import { parsePackedBatch, type PackedBatch } from './parse-lines.js';

export interface ParseJob {
  file: string;
  logicalPath: string;
  adapter: string;
  start: number;
  startLine: number;
  limit: number;
  maxLineBytes: number;
  batchEvents: number;
}

/** What the writer posts back once it has handled a batch. */
export interface WorkerAck {
  type: 'ack';
  buffers?: PackedBuffers;
}

export type WorkerMessage =
  | { type: 'batch'; batch: PackedBatch }
  | { type: 'done' }
  | { type: 'error'; message: string; code?: string };

const MAX_IN_FLIGHT = 2;

/**
 * The adapter of a job (a built-in line adapter: configured generic sources are parsed on the
 * writer's thread). Only its own module is imported: loading every adapter and schema (the
 * registry) doubled the worker's start-up, during which the writer waits for a first batch.
 */
async function adapterFor(job: ParseJob): Promise<LineAdapter> {
  if (/^[a-z][a-z0-9-]*$/.test(job.adapter)) {
    try {
      const module = (await import(`../sources/${job.adapter}/index.js`)) as Record<
        string,
        unknown
      >;
      for (const value of Object.values(module)) {
        const candidate = value as Partial<LineAdapter> | null;
        if (candidate?.name === job.adapter && candidate.mode === 'lines')
          return candidate as LineAdapter;
      }
    } catch {
      // Not a folder of that name: the registry below knows every adapter.
    }
  }
  const { createAdapterRegistry } = await import('../sources/registry.js');
  const adapter = createAdapterRegistry().byName(job.adapter);
  if (adapter.mode !== 'lines') throw new Error(`${job.adapter} is not a line format`);
  return adapter;
}

async function run(job: ParseJob): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const free: PackedBuffers[] = [];
  port.on('message', (m: WorkerAck) => {
    if (m.type !== 'ack') return;
    inFlight -= 1;
    if (m.buffers !== undefined) free.push(m.buffers);
    wake?.();
    wake = null;
  });
  const adapter = await adapterFor(job);
  const fd = openSync(job.file, 'r');
  try {
    // 1 MiB chunks rather than 4: 3 MiB less resident memory for a few hundred more reads per
    // GiB (the buffer still holds a whole line of up to maxLineBytes).
    const reader = new LineReader(fd, job.start, job.maxLineBytes, 1 << 20, job.limit);
    let line = job.startLine;
    for (;;) {
      const batch = parsePackedBatch(
        reader,
        adapter,
        { file: job.file, logicalPath: job.logicalPath, maxLineBytes: job.maxLineBytes },
        line,
        job.batchEvents,
        free.pop(),
      );
      if (batch === null) break;
      line = batch.lines;
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      inFlight += 1;
      port.postMessage(
        { type: 'batch', batch } satisfies WorkerMessage,
        transferablesOf(batch.packed),
      );
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
