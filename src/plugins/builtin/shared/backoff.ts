/** Bounds of an exponential backoff, in milliseconds. */
export interface BackoffOptions {
  /** The first delay (before jitter). */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): `baseMs * 2^attempt`,
 * capped at `maxMs`, then jittered to between half and all of it so that many clients retrying
 * together spread out.
 *
 * @example
 * backoffDelayMs(0, { baseMs: 200, maxMs: 30_000 }) // 100..200
 * backoffDelayMs(10, { baseMs: 200, maxMs: 30_000 }) // 15000..30000
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/**
 * A sleep that `cancel()` ends early (resolving `false`), so that shutdown never waits out a
 * long backoff.
 *
 * @example
 * const pause = createSleep(5_000);
 * setTimeout(() => pause.cancel(), 10);
 * await pause.done; // false, after about 10 ms
 */
export function createSleep(ms: number): { done: Promise<boolean>; cancel(): void } {
  let finish: (completed: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  const timer = setTimeout(() => finish(true), ms);
  return {
    done,
    cancel() {
      clearTimeout(timer);
      finish(false);
    },
  };
}
