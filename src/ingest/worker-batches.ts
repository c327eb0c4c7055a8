import { Worker } from 'node:worker_threads';

import type { ParseJob, WorkerMessage } from './parse-worker.js';
import type { ParsedBatch } from './parse-lines.js';

/**
 * Runs the parsing worker on a file and yields its batches in order. The worker is acked after
 * the consumer has handled each batch (committed it), which bounds memory to two batches.
 * Returning early (an abort) terminates the worker.
 */
export async function* workerBatches(job: ParseJob): AsyncGenerator<ParsedBatch> {
  // A small young generation keeps the worker's resident memory down at no cost in speed.
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), {
    workerData: job,
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  const queue: WorkerMessage[] = [];
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
      yield m.batch;
      worker.postMessage('ack');
    }
  } finally {
    await worker.terminate();
  }
}
