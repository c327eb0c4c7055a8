import { Worker } from 'node:worker_threads';

import { transferablesOf, unpackEvents } from './packed-batch.js';
import type { ParsedBatch } from './parse-lines.js';
import type { ParseJob, WorkerAck, WorkerMessage } from './parse-worker.js';

/**
 * Runs the parsing worker on a file and yields its batches in order. The worker is acked after
 * the consumer has handled each batch (committed it), which bounds memory to two batches.
 * Returning early (an abort) terminates the worker.
 *
 * A batch is the consumer's only until it asks for the next one: its values array is then
 * filled again with the next batch, and its typed arrays go back to the worker with the ack.
 * A bulk ingest so allocates no large buffer per batch (fresh ones would be freed only by a
 * full garbage collection, and pile up in resident memory meanwhile).
 */
export async function* workerBatches(job: ParseJob): AsyncGenerator<ParsedBatch> {
  // 32 MiB of young generation: smaller ones promote the batch being built to the old
  // generation and end up larger in resident memory (measured at 8, 16 and 24).
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), {
    workerData: job,
    resourceLimits: { maxYoungGenerationSizeMb: 32 },
  });
  const queue: WorkerMessage[] = [];
  let values: unknown[] | undefined;
  let notify: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (m: WorkerMessage) => {
    queue.push(m);
    notify?.();
    notify = null;
  });
  worker.on('error', (error) => {
    failure = error;
    notify?.();
    notify = null;
  });
  worker.on('exit', (code) => {
    if (code !== 0 && failure === null)
      failure = new Error(`parse worker exited with code ${code}`);
    notify?.();
    notify = null;
  });
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure !== null) throw failure;
        await new Promise<void>((r) => (notify = r));
      }
      const m = queue.shift() as WorkerMessage;
      if (m.type === 'done') return;
      if (m.type === 'error') {
        throw Object.assign(new Error(m.message), { code: m.code });
      }
      const { packed, ...rest } = m.batch;
      const encoded = unpackEvents(packed, values);
      yield { ...rest, encoded };
      values = encoded.values;
      const { nums, nulls, codes } = packed;
      const ack: WorkerAck = { type: 'ack', buffers: { nums, nulls, codes } };
      worker.postMessage(ack, transferablesOf(packed));
    }
  } finally {
    await worker.terminate();
  }
}
