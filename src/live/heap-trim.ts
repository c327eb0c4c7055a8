import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/** Young generation larger than this is worth handing back once the hub is quiet. */
const TRIM_ABOVE_BYTES = 2 << 20;

let gcFunction: Gc | null = null;

function gcOf(): Gc {
  if (gcFunction === null) {
    const exposed = (globalThis as { gc?: Gc }).gc;
    if (exposed !== undefined) gcFunction = exposed;
    else {
      // Exposes gc() to new contexts only; the hub's own context is unchanged.
      v8.setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as Gc;
    }
  }
  return gcFunction;
}

function newSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Hands the young generation back to the OS while the hub is idle. Start-up (loading the
 * server, the store and the watchers) grows V8's new space to its maximum, and V8 only
 * shrinks it at a scavenge that sees a low allocation rate, which an idle process never
 * reaches on its own. A scavenge every `intervalMs` while the new space is large lets V8 do
 * so; under load V8 keeps the space, so throughput is unchanged.
 *
 * @example
 * const stop = startHeapTrim();
 * stop(); // on shutdown
 */
export function startHeapTrim(intervalMs = 5_000): () => void {
  const timer = setInterval(() => {
    if (newSpaceBytes() > TRIM_ABOVE_BYTES) gcOf()({ type: 'minor', execution: 'sync' });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
