import type { LiveBatch, LiveBus } from '../../live/bus.js';
import type { StreamClient } from './client-buffer.js';
import { EncodedBatch } from './encoded-batch.js';

/**
 * Fans committed batches out to every stream client: one bus subscription, one encoding per
 * batch shared by all clients, then a cheap write per client.
 *
 * @example
 * const fanout = new Broadcaster(hub.bus);
 * fanout.start();
 * fanout.add(client);
 */
export class Broadcaster {
  private readonly clients = new Set<StreamClient>();
  private readonly batchListeners = new Set<(batch: LiveBatch) => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly bus: LiveBus) {}

  start(): void {
    this.unsubscribe ??= this.bus.subscribe((raw) => {
      if (this.clients.size > 0) {
        const batch = EncodedBatch.fromLive(raw);
        // Deleting the current element while iterating a Set is safe: a dropped client
        // removes itself without disturbing the others.
        for (const client of this.clients) client.push(batch);
      }
      for (const listener of this.batchListeners) listener(raw);
    });
  }

  /** Runs `listener` after each batch has been handed to the clients. */
  onBatch(listener: (batch: LiveBatch) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  add(client: StreamClient): () => void {
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  /** Every client of a given transport, for out-of-band messages. */
  *each<T extends StreamClient>(ctor: abstract new (...args: never[]) => T): Iterable<T> {
    for (const client of this.clients) if (client instanceof ctor) yield client;
  }

  /** Stops listening and ends every client's stream (server shutdown). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const client of this.clients) client.shutdown();
    this.clients.clear();
  }
}
