import type { ServerResponse } from 'node:http';

import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { MetricsBundle, type MetricsProvider } from '../queries/metrics.js';
import { startEventStream } from '../streams/sse-events.js';
import type { VigilApp } from '../types.js';

export interface MetricsStreamOptions {
  /** A client whose unsent bytes exceed this is dropped (it stopped reading). */
  maxBufferedBytes: number;
  /** A comment line at least this often, so proxies and clients see the stream alive. */
  heartbeatMs: number;
}

export const METRICS_STREAM_DEFAULTS: MetricsStreamOptions = {
  maxBufferedBytes: 1 << 20,
  heartbeatMs: 15_000,
};

/**
 * The `/api/metrics/stream` fan-out: one timer computes the bundle every
 * `streamIntervalMs` and writes it to every client. The timer runs only while someone listens
 * (started by the first client, stopped by the last), so an idle hub computes nothing. A client
 * that stops reading is dropped once its buffer passes `maxBufferedBytes`, so one slow reader
 * never holds memory or delays the others.
 */
export class MetricsStream {
  readonly options: MetricsStreamOptions = { ...METRICS_STREAM_DEFAULTS };
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastHeartbeatAt = Date.now();
  /** Bundles computed (one per tick with listeners). */
  bundles = 0;

  constructor(
    private readonly hub: Hub,
    /** What computes the bundles (its `computations` count shows the stream idle). */
    readonly provider: MetricsProvider,
    private readonly intervalMs: number,
  ) {}

  /** True while the interval timer is scheduled (someone listens). */
  get running(): boolean {
    return this.timer !== null;
  }

  add(res: ServerResponse): void {
    this.clients.add(res);
    this.hub.clients.metricsStream = this.clients.size;
    res.on('close', () => this.remove(res));
    if (this.timer === null) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.lastHeartbeatAt = Date.now();
    }
    // The first bundle goes out at once rather than an interval later.
    void this.tick();
  }

  private remove(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    this.hub.clients.metricsStream = this.clients.size;
    if (this.clients.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private drop(res: ServerResponse): void {
    this.hub.droppedClients.metricsStream += 1;
    this.remove(res);
    res.destroy();
  }

  private write(res: ServerResponse, chunk: string): void {
    if (res.destroyed || res.writableEnded) {
      this.remove(res);
      return;
    }
    if (res.writableLength > this.options.maxBufferedBytes) {
      this.drop(res);
      return;
    }
    res.write(chunk);
  }

  private broadcast(chunk: string): void {
    // Deleting from a Set while iterating it is safe: dropped clients are simply not revisited.
    for (const res of this.clients) this.write(res, chunk);
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (now - this.lastHeartbeatAt >= this.options.heartbeatMs) {
      this.lastHeartbeatAt = now;
      this.broadcast(`: heartbeat ${new Date(now).toISOString()}\n\n`);
    }
    // A computation slower than the interval: skip this tick rather than pile up.
    if (this.busy || this.clients.size === 0) return;
    this.busy = true;
    try {
      const bundle = await this.provider.bundle();
      this.bundles += 1;
      this.broadcast(`event: metrics\ndata: ${JSON.stringify(bundle)}\n\n`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.hub.monitor.error(`metrics stream: ${message}`);
      this.broadcast(`event: error\ndata: ${JSON.stringify({ message })}\n\n`);
    } finally {
      this.busy = false;
    }
  }

  /** Ends every stream and stops the timer (the app is closing). */
  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const res of this.clients) {
      this.remove(res);
      res.end();
    }
  }
}

/** The metrics stream of each hub, for diagnostics and tests. */
export const metricsStreams = new WeakMap<Hub, MetricsStream>();

/** `GET /api/metrics/stream`: Server-Sent Events, one `metrics` event per interval. */
export async function registerMetricsStream(
  app: VigilApp,
  hub: Hub,
  provider: MetricsProvider,
): Promise<void> {
  const stream = new MetricsStream(hub, provider, hub.config.server.streamIntervalMs);
  metricsStreams.set(hub, stream);
  app.addHook('preClose', async () => stream.close());

  app.get(
    '/api/metrics/stream',
    {
      // A HEAD response has no body: it would never send a frame, nor ever be dropped.
      exposeHeadRoute: false,
      schema: {
        tags: ['metrics'],
        summary:
          'Server-Sent Events: the tasks, quality_gates, resolution and resources payloads every stream interval',
        querystring: z.object({}),
        response: {
          200: {
            description:
              'text/event-stream: `event: metrics` with the bundle as `data` (JSON) every interval; `: heartbeat` comments; `event: error` when a computation fails',
            content: {
              'text/event-stream': {
                schema: z
                  .string()
                  .describe(
                    `Each data line is a bundle: ${Object.keys(MetricsBundle.shape).join(', ')}`,
                  ),
              },
            },
          },
        },
      },
    },
    (_request, reply) => {
      const res = startEventStream(reply);
      res.write('retry: 3000\n: connected\n\n');
      stream.add(res);
    },
  );
}
