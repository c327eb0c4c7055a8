import type { PluginLogger } from '../../sdk.js';
import { backoffDelayMs, createSleep } from '../shared/backoff.js';
import { BoundedQueue } from '../shared/bounded-queue.js';

/** Where records go: a file, a syslog socket, stdout. */
export interface RecordTransport {
  /** What it is, for log lines: `file /var/log/x.jsonl`, `syslog tcp 127.0.0.1:514`. */
  readonly description: string;
  /**
   * Sends a batch, resolving once the operating system has it. Rejects when the sink is down;
   * the batch (less the `sent` records of a {@link PartialSendError}) is then kept and sent
   * again after a backoff.
   */
  send(batch: readonly Buffer[]): Promise<void>;
  /** Releases sockets and files. */
  close(): Promise<void>;
}

/** A send that failed after its first `sent` records were written: only the rest is retried. */
export class PartialSendError extends Error {
  readonly sent: number;
  constructor(sent: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'PartialSendError';
    this.sent = sent;
  }
}

export interface RecordPumpOptions {
  /** Records kept while the sink is down; the oldest are dropped beyond it. */
  maxBuffer: number;
  /** Longest wait between attempts while the sink is down. */
  reconnectMaxMs: number;
  log: PluginLogger;
  /** Most records per `send`. */
  maxBatch?: number;
  /** Least time between two "records dropped" warnings. */
  dropWarnIntervalMs?: number;
}

export interface RecordPumpStats {
  sent: number;
  dropped: number;
  queued: number;
  /** True while the last attempt failed. */
  down: boolean;
}

/**
 * Buffers records and sends them to a transport in order, one batch at a time, in the
 * background. While the sink is down it retries with exponential backoff and keeps at most
 * `maxBuffer` records, dropping the oldest; drops are counted and reported with `log.warn`.
 * `push` never blocks and never throws.
 */
export interface RecordPump {
  push(record: Buffer): void;
  /** Waits until everything queued is sent, or `timeoutMs` passes; true when all was sent. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes for up to `timeoutMs`, then stops and closes the transport. */
  close(timeoutMs: number): Promise<void>;
  stats(): RecordPumpStats;
}

/**
 * Starts a pump over `transport`.
 *
 * @example
 * const pump = createRecordPump(createFileTransport({ path, maxBytes, maxFiles }), {
 *   maxBuffer: 10_000, reconnectMaxMs: 30_000, log: ctx.log });
 * pump.push(Buffer.from('{"level":"INFO"}\n'));
 * await pump.close(5_000);
 */
export function createRecordPump(
  transport: RecordTransport,
  options: RecordPumpOptions,
): RecordPump {
  const { log } = options;
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 256, options.maxBuffer));
  const dropWarnIntervalMs = options.dropWarnIntervalMs ?? 10_000;
  const queue = new BoundedQueue<Buffer>(options.maxBuffer);
  let inFlight = 0;
  let sent = 0;
  let running = false;
  let closed = false;
  let down = false;
  let attempt = 0;
  let droppedReported = 0;
  let lastDropWarn = 0;
  let sleeper: { cancel(): void } | null = null;
  const idleWaiters = new Set<() => void>();

  const reportDrops = (force: boolean) => {
    const dropped = queue.dropped;
    if (dropped === droppedReported) return;
    const now = Date.now();
    if (!force && now - lastDropWarn < dropWarnIntervalMs) return;
    log.warn(
      `${transport.description}: ${dropped - droppedReported} oldest records dropped ` +
        `(buffer of ${options.maxBuffer} full while the sink is down; ${dropped} dropped in all)`,
      { dropped_total: dropped },
    );
    droppedReported = dropped;
    lastDropWarn = now;
  };

  const notifyIdle = () => {
    if (queue.size > 0 || inFlight > 0) return;
    for (const wake of idleWaiters) wake();
    idleWaiters.clear();
  };

  async function run(): Promise<void> {
    running = true;
    try {
      while (!closed && queue.size > 0) {
        const batch: Buffer[] = [];
        while (batch.length < maxBatch && queue.size > 0) batch.push(queue.shift() as Buffer);
        inFlight = batch.length;
        try {
          await transport.send(batch);
          sent += batch.length;
          inFlight = 0;
          if (down) {
            down = false;
            log.info(`${transport.description}: sink reachable again; sending resumed`);
            reportDrops(true);
          }
          attempt = 0;
        } catch (error) {
          inFlight = 0;
          const done = error instanceof PartialSendError ? error.sent : 0;
          sent += done;
          queue.unshiftAll(batch.slice(done));
          if (!down) {
            down = true;
            log.warn(
              `${transport.description}: sink down (${String(error)}); retrying with backoff`,
            );
          }
          reportDrops(false);
          if (closed) break;
          const pause = createSleep(
            backoffDelayMs(attempt, { baseMs: 200, maxMs: options.reconnectMaxMs }),
          );
          attempt += 1;
          sleeper = pause;
          await pause.done;
          sleeper = null;
        }
      }
    } finally {
      running = false;
      notifyIdle();
    }
  }

  const kick = () => {
    if (!running && !closed) void run();
  };

  return {
    push(record) {
      if (closed) return;
      if (queue.push(record) > 0) reportDrops(false);
      kick();
    },
    async flush(timeoutMs) {
      if (queue.size === 0 && inFlight === 0) return true;
      // Retry now rather than after the current backoff: this is a shutdown or an explicit flush.
      sleeper?.cancel();
      kick();
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<boolean>((resolve) => {
        idleWaiters.add(() => resolve(queue.size === 0));
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const done = await idle;
      clearTimeout(timer);
      return done && queue.size === 0 && inFlight === 0;
    },
    async close(timeoutMs) {
      const flushed = await this.flush(timeoutMs);
      closed = true;
      sleeper?.cancel();
      reportDrops(true);
      if (!flushed) {
        const left = queue.size + inFlight;
        if (left > 0) {
          log.warn(`${transport.description}: ${left} records not sent before shutdown`, {
            unsent: left,
          });
        }
      }
      await transport.close();
    },
    stats: () => ({ sent, dropped: queue.dropped, queued: queue.size + inFlight, down }),
  };
}
