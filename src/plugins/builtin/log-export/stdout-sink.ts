import type { Writable } from 'node:stream';

import type { RecordTransport } from './record-pump.js';

/**
 * Writes newline-terminated records to standard output (or another stream), for containers
 * whose logs are collected from stdout (fluentd, vector). Honours backpressure: a batch resolves
 * when the stream has taken it.
 *
 * @example
 * const sink = createStdoutSink();
 * await sink.send([Buffer.from('{"level":"INFO"}\n')]);
 */
export function createStdoutSink(stream: Writable = process.stdout): RecordTransport {
  return {
    description: 'stdout',
    send(batch) {
      return new Promise<void>((resolve, reject) => {
        stream.write(Buffer.concat(batch), (error) => (error ? reject(error) : resolve()));
      });
    },
    async close() {},
  };
}
