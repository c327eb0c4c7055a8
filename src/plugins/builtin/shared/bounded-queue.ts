/**
 * A FIFO queue with a capacity: pushing onto a full queue drops the oldest item and counts it.
 * The built-in plugins buffer records and alerts in it while a sink is down.
 *
 * @example
 * const q = new BoundedQueue<string>(2);
 * q.push('a'); q.push('b'); q.push('c'); // 'a' dropped
 * q.shift(); // 'b'
 * q.dropped; // 1
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  #items: (T | undefined)[] = [];
  #head = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Items dropped (oldest first) since the queue was made. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Appends `item`; returns how many old items were dropped to make room (0 or 1). */
  push(item: T): number {
    let dropped = 0;
    if (this.size >= this.capacity) {
      this.shift();
      this.#dropped += 1;
      dropped = 1;
    }
    this.#items.push(item);
    return dropped;
  }

  /**
   * Puts items back at the front (a batch that failed to send), in their order; drops the
   * oldest beyond capacity and returns how many.
   */
  unshiftAll(items: readonly T[]): number {
    const rest = this.#items.slice(this.#head);
    const all = [...items, ...rest];
    const over = Math.max(0, all.length - this.capacity);
    this.#items = all.slice(over);
    this.#head = 0;
    this.#dropped += over;
    return over;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const out = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}
