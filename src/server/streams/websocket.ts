import type { Socket } from 'node:net';

import type { WebSocket } from 'ws';
import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { VERSION } from '../../version.js';
import { ErrorBody, httpError } from '../http-error.js';
import type { VigilApp } from '../types.js';
import type { Broadcaster } from './broadcaster.js';
import { StreamClient, waitForDrain } from './client-buffer.js';
import type { CostUpdates } from './cost-update.js';
import { BOARD_MESSAGE_NAMES, type EncodedBatch } from './encoded-batch.js';
import {
  buildFilter,
  describeFilter,
  matchesFilter,
  parseResumeSeq,
  resumePoint,
  StreamQuery,
  type StreamFilter,
} from './stream-filter.js';
import { streamOptionsFor, type StreamOptions } from './stream-options.js';

/** Paths the WebSocket answers at: `/ws`, and `/dashboard` for seed 004's dashboard. */
export const WEBSOCKET_PATHS = ['/ws', '/dashboard'] as const;

/** Version of the message protocol in `connection_ack`. */
export const WS_PROTOCOL_VERSION = 1;

const message = (event: string, data: unknown): Buffer =>
  Buffer.from(JSON.stringify(data === undefined ? { event } : { event, data }));

/** One WebSocket client: each event as JSON text messages (`task.*`, `event`, `cost.update`). */
export class WsClient extends StreamClient {
  private readonly pinger: NodeJS.Timeout;
  private alive = true;

  constructor(
    hub: Hub,
    options: StreamOptions,
    filter: StreamFilter | null,
    private readonly ws: WebSocket,
    private readonly socket: Socket,
  ) {
    super(hub, 'websocket', options, filter);
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => {
      clearInterval(this.pinger);
      this.closed();
    });
    this.pinger = setInterval(() => this.checkAlive(), options.wsPingMs);
    this.pinger.unref();
  }

  private checkAlive(): void {
    if (!this.sendControl(() => {})) return;
    if (!this.alive) {
      // No pong since the last ping: the peer is gone. Not a slow reader, so not counted.
      this.destroy();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  protected bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  protected writeEvents(batch: EncodedBatch, afterSeq: number): void {
    for (let i = 0; i < batch.size; i++) {
      const item = batch.items[i];
      if (item === undefined || item.seq <= afterSeq) continue;
      if (this.filter !== null && !matchesFilter(this.filter, item.event)) continue;
      for (const frame of batch.wsMessages(i)) this.write(frame);
    }
  }

  private write(frame: Buffer): void {
    this.bytesWritten += frame.length;
    this.ws.send(frame, { binary: false });
  }

  protected waitWritable(): Promise<void> {
    return this.socket.writableNeedDrain ? waitForDrain(this.socket) : Promise.resolve();
  }

  protected destroy(): void {
    clearInterval(this.pinger);
    this.ws.terminate();
  }

  shutdown(): void {
    clearInterval(this.pinger);
    this.closed();
    this.ws.close(1001, 'server shutting down');
    setTimeout(() => this.ws.terminate(), 1_000).unref();
  }

  /** Sends one out-of-band message (ack, pong, cost.update), under the buffer bound. */
  send(frame: Buffer): void {
    this.sendControl(() => this.write(frame));
  }

  /** A message from the client: `ping`, `{"event":"ping"}` or `{"event":"subscribe",...}`. */
  receive(text: string): void {
    if (text.trim() === 'ping') {
      this.send(message('pong', { ts: Date.now() }));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.send(message('error', { message: 'messages must be JSON such as {"event":"ping"}' }));
      return;
    }
    const msg = ClientMessage.safeParse(parsed);
    if (!msg.success) {
      this.send(
        message('error', {
          message:
            'unknown message; send {"event":"ping"} or {"event":"subscribe","data":{"kinds":["board"]}}',
        }),
      );
      return;
    }
    if (msg.data.event === 'ping') {
      this.send(message('pong', { ts: Date.now() }));
      return;
    }
    const filter = buildFilter({
      kind: msg.data.data?.kinds,
      type: msg.data.data?.types,
      session: msg.data.data?.session,
    });
    if (!filter.ok) {
      this.send(message('error', { message: filter.message }));
      return;
    }
    this.filter = filter.value;
    this.send(
      message('subscribed', { filter: describeFilter(this.filter), lastSeq: this.lastSeq }),
    );
  }
}

const ClientMessage = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ping'), data: z.unknown().optional() }),
  z.object({
    event: z.literal('subscribe'),
    data: z
      .object({
        kinds: z.array(z.string()).optional(),
        types: z.array(z.string()).optional(),
        session: z.string().nullable().optional(),
      })
      .optional(),
  }),
]);

/**
 * The WebSocket at `/ws` and `/dashboard`: `connection_ack`, seed 004's `task.*` names,
 * `cost.update`, a generic `event` message per committed event, and ping/pong.
 * See docs/streams.md.
 */
export function registerWebsocket(
  app: VigilApp,
  hub: Hub,
  fanout: Broadcaster,
  costs: CostUpdates,
  base: Partial<StreamOptions>,
): void {
  for (const url of WEBSOCKET_PATHS) {
    app.route({
      method: 'GET',
      url,
      exposeHeadRoute: false,
      schema: {
        tags: ['streams'],
        summary: `WebSocket (${url}): live events with seed 004's task.* and cost.update names`,
        querystring: StreamQuery,
        response: { 400: ErrorBody, 426: ErrorBody },
      },
      handler: () => {
        throw httpError(
          426,
          `${url} is a WebSocket: connect with ws://<host>${url} (see docs/streams.md)`,
          { upgrade: 'websocket' },
        );
      },
      wsHandler: (ws, request) => {
        const q = request.query as StreamQuery;
        const filter = buildFilter(q);
        const resume = parseResumeSeq([q.lastSeq, q.since_seq, q.lastEventId]);
        if (!filter.ok || !resume.ok) {
          ws.send(
            JSON.stringify({
              event: 'error',
              data: { message: !filter.ok ? filter.message : !resume.ok ? resume.message : '' },
            }),
          );
          ws.close(1008, 'invalid query');
          return;
        }
        const options = streamOptionsFor(hub, base);
        const socket = request.raw.socket;
        socket.setNoDelay(true);
        const client = new WsClient(hub, options, filter.value, ws, socket);
        const lastSeq = hub.bus.lastSeq;
        const after = resumePoint(resume.value, lastSeq);
        client.send(
          message('connection_ack', {
            server: 'vigil',
            version: VERSION,
            protocol: WS_PROTOCOL_VERSION,
            lastSeq,
            resumeAfter: after,
            filter: describeFilter(filter.value),
            streamIntervalMs: hub.config.server.streamIntervalMs,
            events: [
              'connection_ack',
              ...BOARD_MESSAGE_NAMES,
              'cost.update',
              'event',
              'pong',
              'subscribed',
              'error',
            ],
          }),
        );
        ws.on('message', (data, isBinary) => {
          if (!isBinary) client.receive(String(data));
        });
        const remove = fanout.add(client);
        void client.start(after, lastSeq, remove);
        costs.current().then(
          (frame) => client.send(frame),
          (error: unknown) =>
            hub.monitor.error(`cost.update failed: ${(error as Error).message ?? String(error)}`),
        );
      },
    });
  }
}
