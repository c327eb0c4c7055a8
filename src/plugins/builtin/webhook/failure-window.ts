import type { PluginEvent } from '../../sdk.js';

/** Task statuses that count as failed task ends. */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['failure', 'timeout', 'blocked']);
/** Task statuses that end a task. */
const END_STATUSES: ReadonlySet<string> = new Set([
  'success',
  'failure',
  'timeout',
  'skipped',
  'cancelled',
  'blocked',
  'unknown',
]);

/** Most task ends a duration window keeps (the oldest go first beyond it). */
const MAX_DURATION_ENDS = 10_000;

/** True for an event that ends a task (kind `task`, a terminal status). */
export function isTaskEnd(event: Pick<PluginEvent, 'kind' | 'status'>): boolean {
  return event.kind === 'task' && event.status !== null && END_STATUSES.has(event.status);
}

/** One task end in the window (saved with the rules' state). */
export interface TaskEnd {
  key: string;
  failed: boolean;
  ts: number;
}

/**
 * The most recent task ends: the last `count` of them, or those of the last `ms`
 * milliseconds. A task that ends again (a retry, or a second source reporting it) replaces its
 * earlier end, so the latest status decides, as in the task join.
 *
 * @example
 * const w = new FailureWindow({ count: 20 });
 * w.add(taskEndEvent);
 * w.rate(Date.now()) // { ended: 1, failed: 0, rate: 0 }
 */
export class FailureWindow {
  readonly #size: { count: number } | { ms: number };
  #ends: TaskEnd[] = [];

  constructor(size: { count: number } | { ms: number }, saved: readonly TaskEnd[] = []) {
    this.#size = size;
    for (const end of saved) this.#push(end);
  }

  add(event: Pick<PluginEvent, 'task_id' | 'event_id' | 'timestamp' | 'status'>): void {
    this.#push({
      key: event.task_id ?? `event:${event.event_id}`,
      failed: FAILED_STATUSES.has(event.status ?? ''),
      ts: Date.parse(event.timestamp),
    });
  }

  /** The ends in the window, oldest first (to save). */
  get ends(): readonly TaskEnd[] {
    return this.#ends;
  }

  #push(end: TaskEnd): void {
    this.#ends = this.#ends.filter((e) => e.key !== end.key);
    this.#ends.push(end);
    const max = 'count' in this.#size ? this.#size.count : MAX_DURATION_ENDS;
    if (this.#ends.length > max) this.#ends.splice(0, this.#ends.length - max);
  }

  /** Ends in the window at `nowMs`, failed ones, and their ratio (null with no end). */
  rate(nowMs: number): { ended: number; failed: number; rate: number | null } {
    if ('ms' in this.#size) {
      const since = nowMs - this.#size.ms;
      this.#ends = this.#ends.filter((e) => e.ts >= since);
    }
    const ended = this.#ends.length;
    const failed = this.#ends.filter((e) => e.failed).length;
    return { ended, failed, rate: ended === 0 ? null : failed / ended };
  }

  /** The window, in words: `the last 20 task ends` or `task ends in the last 1h`. */
  describe(): string {
    return 'count' in this.#size
      ? `the last ${this.#size.count} task ends`
      : `task ends of the last ${Math.round(this.#size.ms / 60_000)} min`;
  }
}
