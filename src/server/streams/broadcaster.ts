import type { LiveBatch, LiveBus } from '../../live/bus.js';
import type { StreamClient } from './client-buffer.js';
import { EncodedBatch } from './encoded-batch.js';

/** Clients up to which every commit is written at once; beyond, commits are coalesced. */
export const IMMEDIATE_CLIENTS = 16;
/** Longest a commit waits to be coalesced with the next ones (with many clients), ms. */
export const MAX_COALESCE_MS = 20;

/**
 * How long commits are gathered before they are written to `clients` clients: nothing with a
 * few clients (lowest latency), growing with the count up to MAX_COALESCE_MS, so that the
 * writes per second stay bounded however many clients listen.
 */
export function coalesceDelayMs(clients: number): number {
  return clients <= IMMEDIATE_CLIENTS ? 0 : Math.min(MAX_COALESCE_MS, Math.ceil(clients / 25));
}

/**
 * Fans committed batches out to every stream client: one bus subscription, one encoding per
 * batch shared by all clients, then a cheap write per client. With many clients, commits that
 * arrive within a few milliseconds are merged into one batch, so each client gets one write
 * (one system call) for all of them.
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
  private pending: LiveBatch[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly bus: LiveBus) {}

  start(): void {
    this.unsubscribe ??= this.bus.subscribe((raw) => {
      if (this.clients.size > 0) {
        const delay = coalesceDelayMs(this.clients.size);
        if (delay === 0 && this.pending.length === 0) this.deliver(raw);
        else {
          this.pending.push(raw);
          this.timer ??= setTimeout(() => this.flush(), delay);
        }
      }
      for (const listener of this.batchListeners) listener(raw);
    });
  }

  private flush(): void {
    this.timer = null;
    const pending = this.pending;
    this.pending = [];
    let merged: { firstSeq: number; events: LiveBatch['events'][number][] } | null = null;
    for (const batch of pending) {
      if (merged !== null && batch.firstSeq === merged.firstSeq + merged.events.length) {
        merged.events.push(...batch.events);
        continue;
      }
      if (merged !== null) this.deliver(merged);
      merged = { firstSeq: batch.firstSeq, events: [...batch.events] };
    }
    if (merged !== null) this.deliver(merged);
  }

  private deliver(raw: LiveBatch): void {
    const batch = EncodedBatch.fromLive(raw);
    // Deleting the current element while iterating a Set is safe: a dropped client
    // removes itself without disturbing the others.
    for (const client of this.clients) client.push(batch);
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
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    for (const client of this.clients) client.shutdown();
    this.clients.clear();
  }
}
