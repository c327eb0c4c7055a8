import type { Hub } from '../../live/hub.js';
import { EncodedBatch } from './encoded-batch.js';
import type { StreamFilter } from './stream-filter.js';
import type { StreamOptions } from './stream-options.js';

/** Unread bytes, in multiples of `bufferLimitBytes`, past which even a reading client is dropped. */
export const HARD_LIMIT_FACTOR = 4;

/** The hub counters a client is counted under. */
export type StreamName = 'eventsStream' | 'websocket';

/** What a client needs from a writable transport to know when it has drained. */
export interface DrainSource {
  once(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  off(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
}

/** Resolves once `source` drains, closes or fails. */
export function waitForDrain(source: DrainSource): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      source.off('drain', done);
      source.off('close', done);
      source.off('error', done);
      resolve();
    };
    source.once('drain', done);
    source.once('close', done);
    source.once('error', done);
  });
}

/**
 * One stream client with a bounded buffer. Live batches are written as they commit; a client
 * that resumes first replays from the store in pages while live batches are held, then
 * continues live, deduplicating by sequence, so it sees every event once and in order.
 *
 * The buffer bound (RELIABILITY S1): before each live batch and each heartbeat, the bytes
 * still queued for the client are checked. Over `bufferLimitBytes`, a client whose socket took
 * nothing since the previous check has stopped reading; over four times the limit, a client
 * reads too slowly to keep up. Either is dropped and counted in `hub.droppedClients`, so memory
 * per client stays bounded and other clients never wait for it. A replay instead waits for the
 * client to drain each page.
 */
export abstract class StreamClient {
  /** Last sequence handled (sent, or skipped by the filter). */
  private seq = 0;
  private phase: 'live' | 'replaying' | 'closed' = 'live';
  private held: EncodedBatch[] = [];
  private heldEvents = 0;
  private holdGeneration = 0;
  private onClosed: (() => void) | null = null;
  private flushedAtCheck = 0;
  /** Bytes handed to the transport so far (subclasses add what they write). */
  protected bytesWritten = 0;

  protected constructor(
    protected readonly hub: Hub,
    private readonly stream: StreamName,
    protected readonly options: StreamOptions,
    protected filter: StreamFilter | null,
  ) {
    hub.clients[stream] += 1;
  }

  /** Bytes written to the client and not yet taken by its socket. */
  protected abstract bufferedBytes(): number;
  /** Writes the events of `batch` after `afterSeq` that pass the filter. */
  protected abstract writeEvents(batch: EncodedBatch, afterSeq: number): void;
  /** Resolves once the transport drained or closed. */
  protected abstract waitWritable(): Promise<void>;
  /** Destroys the transport at once (its close handler then calls `closed()`). */
  protected abstract destroy(): void;
  /** Ends the stream politely (server shutdown). */
  abstract shutdown(): void;

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Starts delivery: live from `currentSeq`, or when `resumeAfter` is given, a replay of
   * the store after it first. `onClosed` runs once when the client goes away.
   */
  async start(resumeAfter: number | null, currentSeq: number, onClosed: () => void): Promise<void> {
    this.onClosed = onClosed;
    if (this.phase === 'closed') {
      onClosed();
      return;
    }
    if (resumeAfter === null) {
      this.seq = currentSeq;
      return;
    }
    this.seq = resumeAfter;
    this.phase = 'replaying';
    try {
      await this.replay();
    } catch (error) {
      this.hub.monitor.error(
        `stream replay after ${resumeAfter} failed: ${(error as Error).message ?? String(error)}`,
      );
      this.destroy();
    }
  }

  private async replay(): Promise<void> {
    const { replayPageSize, bufferLimitBytes } = this.options;
    for (;;) {
      const generation = this.holdGeneration;
      const page = await this.hub.store.eventsAfter(this.seq, replayPageSize);
      if (this.phase === 'closed') return;
      if (page.length > 0) {
        const batch = EncodedBatch.fromStored(page);
        this.writeEvents(batch, this.seq);
        this.seq = batch.lastSeq;
        // Replay waits for a slow reader rather than dropping it; a reader that stopped is
        // dropped by a heartbeat, which closes the transport and ends this wait.
        if (this.bufferedBytes() > bufferLimitBytes) await this.waitWritable();
        if (this.isClosed) return;
      }
      // Held live batches cover everything committed since the last time they were
      // discarded; when that happened during this read, read again before switching to live.
      if (page.length < replayPageSize && generation === this.holdGeneration) break;
    }
    const held = this.held;
    this.held = [];
    this.heldEvents = 0;
    this.phase = 'live';
    for (const batch of held) this.push(batch);
  }

  /** A committed batch from the bus, in commit order. */
  push(batch: EncodedBatch): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'replaying') {
      this.held.push(batch);
      this.heldEvents += batch.size;
      if (this.heldEvents > this.options.replayHoldEvents) {
        this.held = [];
        this.heldEvents = 0;
        this.holdGeneration += 1;
      }
      return;
    }
    if (batch.lastSeq <= this.seq) return;
    if (this.stalled()) {
      this.drop();
      return;
    }
    this.writeEvents(batch, this.seq);
    this.seq = batch.lastSeq;
  }

  /** Writes out-of-band data (heartbeat, pong, cost update); false if the client was dropped. */
  protected sendControl(write: () => void): boolean {
    if (this.phase === 'closed') return false;
    if (this.stalled()) {
      this.drop();
      return false;
    }
    write();
    return true;
  }

  /**
   * True when the client must go: more than `bufferLimitBytes` unread and its socket took no
   * byte since the previous check (it stopped reading), or more than the hard limit whatever
   * it does (it reads too slowly to ever catch up). A client that is draining a burst stays.
   */
  private stalled(): boolean {
    const buffered = this.bufferedBytes();
    const limit = this.options.bufferLimitBytes;
    if (buffered <= limit) return false;
    const flushed = this.bytesWritten - buffered;
    const progressed = flushed > this.flushedAtCheck;
    this.flushedAtCheck = flushed;
    return !progressed || buffered > limit * HARD_LIMIT_FACTOR;
  }

  /** Drops a client that stopped reading. */
  drop(): void {
    if (this.phase === 'closed') return;
    this.hub.droppedClients[this.stream] += 1;
    this.closed();
    this.destroy();
  }

  /** The transport closed (or is being closed): stop writing and stop counting it. */
  closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.held = [];
    this.hub.clients[this.stream] -= 1;
    this.onClosed?.();
  }
}
