import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { ErrorBody, httpError } from '../http-error.js';
import type { VigilApp } from '../types.js';
import type { Broadcaster } from './broadcaster.js';
import { StreamClient, waitForDrain } from './client-buffer.js';
import type { EncodedBatch } from './encoded-batch.js';
import {
  buildFilter,
  parseResumeSeq,
  resumePoint,
  StreamQuery,
  type StreamFilter,
} from './stream-filter.js';
import { streamOptionsFor, type StreamOptions } from './stream-options.js';

const HEARTBEAT = Buffer.from(': heartbeat\n\n');

/** One `/api/events/stream` client: SSE frames written to its response. */
export class SseClient extends StreamClient {
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    hub: Hub,
    options: StreamOptions,
    filter: StreamFilter | null,
    private readonly res: ServerResponse,
  ) {
    super(hub, 'eventsStream', options, filter);
    this.heartbeat = setInterval(
      () => this.sendControl(() => this.write(HEARTBEAT)),
      options.heartbeatMs,
    );
    this.heartbeat.unref();
    res.on('close', () => {
      clearInterval(this.heartbeat);
      this.closed();
    });
  }

  protected bufferedBytes(): number {
    return this.res.writableLength;
  }

  protected writeEvents(batch: EncodedBatch, afterSeq: number): void {
    const chunk = batch.sseAfter(afterSeq, this.filter);
    if (chunk !== null) this.write(chunk);
  }

  private write(chunk: Buffer): void {
    this.bytesWritten += chunk.length;
    this.res.write(chunk);
  }

  protected waitWritable(): Promise<void> {
    return this.res.writableNeedDrain ? waitForDrain(this.res) : Promise.resolve();
  }

  protected destroy(): void {
    clearInterval(this.heartbeat);
    this.res.destroy();
  }

  shutdown(): void {
    clearInterval(this.heartbeat);
    this.closed();
    this.res.end();
  }
}

/**
 * Takes the response over from Fastify and starts an event stream on it, keeping the security
 * and CORS headers the hub already set on the reply.
 */
export function startEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  res.socket?.setNoDelay(true);
  return res;
}

/**
 * `GET /api/events/stream`: every committed event as one Server-Sent Event, resumable with
 * Last-Event-ID. See docs/streams.md.
 */
export function registerEventsStream(
  app: VigilApp,
  hub: Hub,
  fanout: Broadcaster,
  base: Partial<StreamOptions>,
): void {
  app.get(
    '/api/events/stream',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['streams'],
        summary: 'Committed events as Server-Sent Events, resumable with Last-Event-ID',
        description:
          'Each event is one frame: `id: <seq>`, `event: event`, `data: <one-line JSON>`. Send Last-Event-ID (or ?lastEventId= / ?since_seq=) to replay what was missed, then continue live. Heartbeat comments every 15 s.',
        querystring: StreamQuery,
        response: {
          200: {
            description:
              'text/event-stream: one `event: event` frame per committed event, `id:` its sequence; `: heartbeat` comments; a `retry:` hint',
            content: {
              'text/event-stream': {
                schema: z
                  .string()
                  .describe(
                    'Each data line is an event in export form (event_id, event_type, kind, timestamp, ...) plus seq',
                  ),
              },
            },
          },
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter = buildFilter(q);
      const header = request.headers['last-event-id'];
      const resume = parseResumeSeq([
        Array.isArray(header) ? header[0] : header,
        q.lastEventId,
        q.since_seq,
        q.lastSeq,
      ]);
      if (!filter.ok) throw httpError(400, filter.message);
      if (!resume.ok) throw httpError(400, resume.message);
      const options = streamOptionsFor(hub, base);
      const res = startEventStream(reply);
      const lastSeq = hub.bus.lastSeq;
      const after = resumePoint(resume.value, lastSeq);
      res.write(
        `retry: ${options.retryMs}\n: connected; last seq ${lastSeq}${after === null ? '' : `, replaying after ${after}`}\n\n`,
      );
      const client = new SseClient(hub, options, filter.value, res);
      const remove = fanout.add(client);
      await client.start(after, lastSeq, remove);
      return reply;
    },
  );
}
