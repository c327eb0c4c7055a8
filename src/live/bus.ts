import type { VigilEvent } from '../core/event.js';

/** Events of one committed batch: `events[i]` has commit sequence `firstSeq + i`. */
export interface LiveBatch {
  firstSeq: number;
  events: readonly VigilEvent[];
}

export type LiveListener = (batch: LiveBatch) => void;

/**
 * The live bus: committed events, in commit order, for streams, metrics and plugins. The store
 * commits first, then publishes here, so nothing seen live can later go missing from a query.
 * A throwing listener is reported through `onListenerError` and never stops the others.
 *
 * @example
 * const off = bus.subscribe(({ firstSeq, events }) => send(events));
 * off(); // unsubscribes
 */
export class LiveBus {
  private readonly listeners = new Set<LiveListener>();
  private seq = 0;

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Sequence of the last event published (or the store's last sequence at start). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Starts the sequence where the store stands, so resumes line up across restarts. */
  startAt(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(batch: LiveBatch): void {
    if (batch.events.length === 0) return;
    this.seq = Math.max(this.seq, batch.firstSeq + batch.events.length - 1);
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
