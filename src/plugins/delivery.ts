/**
 * What a plugin has been delivered, and what it gets next: every committed event it subscribes
 * to, exactly once, in commit order, across restarts of the plugin and of the hub.
 *
 * The cursor is the sequence of the last event concluded (handled, thrown on, or in hand when
 * the plugin died); it is saved in `<data_dir>/plugins/<name>/cursor.json`. Live events come
 * from the bus into a bounded queue. When the queue is full, or a batch does not follow the
 * last one seen (committed by another process), the queue stops taking live events and the
 * rest is read back from the store (`eventsAfter(cursor)`) until it has caught up.
 */
import type { VigilEvent } from '../core/event.js';
import type { LiveBatch } from '../live/bus.js';
import { eventToExport } from '../output/event-json.js';
import type { SequencedEvent } from '../store/types.js';
import { subscribed, type Subscription } from './manifest.js';
import type { PluginEvent } from './sdk.js';

/** Events read from the store at a time while catching up. */
export const CATCH_UP_PAGE = 500;

export interface DeliverySource {
  eventsAfter(seq: number, limit: number): Promise<SequencedEvent[]>;
  /** The last sequence published on the live bus. */
  lastPublished(): number;
}

export function toPluginEvent(event: VigilEvent, seq: number): PluginEvent {
  return { ...(eventToExport(event) as Omit<PluginEvent, 'seq'>), seq };
}

/**
 * @example
 * const delivery = new Delivery(source, subscription, savedCursor, 1000);
 * bus.subscribe((batch) => delivery.offer(batch));
 * const next = await delivery.next(64); // then delivery.concluded(seq) for each
 */
export class Delivery {
  /** Events waiting, in order, all after the cursor and subscribed to. */
  private readonly queue: PluginEvent[] = [];
  /** Every sequence up to this one is queued, concluded or not subscribed to. */
  private known: number;
  /** Live events are not taken: the store has events the queue does not. */
  private behind = true;
  private wake: (() => void) | null = null;
  /** Set when the cursor moved since the last save. */
  dirty = false;

  constructor(
    private readonly source: DeliverySource,
    private readonly subscription: Subscription,
    private cursorSeq: number,
    private readonly maxQueue: number,
  ) {
    this.known = cursorSeq;
  }

  get cursor(): number {
    return this.cursorSeq;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** True while events are read back from the store rather than taken live. */
  get catchingUp(): boolean {
    return this.behind;
  }

  /** A committed batch from the bus. */
  offer(batch: LiveBatch): void {
    if (this.behind) return this.notify();
    const { firstSeq, events } = batch;
    if (firstSeq + events.length - 1 <= this.known) return;
    if (firstSeq > this.known + 1) {
      this.behind = true;
      return this.notify();
    }
    for (let i = this.known + 1 - firstSeq; i < events.length; i++) {
      const e = events[i] as VigilEvent;
      if (subscribed(this.subscription, e.type, e.kind)) {
        if (this.queue.length >= this.maxQueue) {
          this.behind = true;
          break;
        }
        this.queue.push(toPluginEvent(e, firstSeq + i));
      }
      this.known = firstSeq + i;
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves when something may be ready, or on `interrupt`. */
  waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Wakes a waiting `waitForWork` (for stop and state changes). */
  interrupt(): void {
    this.notify();
  }

  private advance(seq: number): void {
    if (seq > this.cursorSeq) {
      this.cursorSeq = seq;
      this.dirty = true;
    }
  }

  /**
   * The next events to hand over, at most `n`, without removing them: from the queue, else
   * from the store when behind. Empty when there is nothing to deliver now; the cursor then
   * stands past every event seen that the plugin does not subscribe to.
   */
  async next(n: number): Promise<PluginEvent[]> {
    for (;;) {
      if (this.queue.length > 0) return this.queue.slice(0, n);
      this.advance(this.known);
      if (!this.behind) return [];
      // Published before the read: a short page then covers everything up to here, even when
      // the newest of those events were deleted since (pruned), so catching up always ends.
      const published = this.source.lastPublished();
      const rows = await this.source.eventsAfter(this.cursorSeq, CATCH_UP_PAGE);
      // Events concluded meanwhile cannot have changed anything: only this method fills the
      // queue while behind. A batch published meanwhile was not taken; the store has it.
      for (const { seq, event } of rows) {
        if (seq <= this.known) continue;
        if (subscribed(this.subscription, event.type, event.kind)) {
          this.queue.push(toPluginEvent(event, seq));
        }
        this.known = seq;
      }
      if (rows.length < CATCH_UP_PAGE) {
        this.known = Math.max(this.known, published);
        // Caught up: what is published from now on follows `known`.
        if (this.source.lastPublished() <= this.known) this.behind = false;
      }
      if (this.queue.length === 0) this.advance(this.known);
      if (this.queue.length === 0 && !this.behind) return [];
      // A long stretch of events the plugin does not want: let the hub breathe between pages.
      if (this.queue.length === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The first queued event is concluded (handled, failed, or in hand when the plugin died). */
  concluded(seq: number): void {
    const head = this.queue[0];
    if (head === undefined || head.seq !== seq) return;
    this.queue.shift();
    this.advance(seq);
  }
}
