/**
 * Stream test clients over real sockets: an SSE reader (node:http, spec line parsing), a
 * WebSocket collector (`ws`), raw TCP clients that stop reading, and an event factory.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

import WebSocket from 'ws';

import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../src/core/event.js';

/** Waits for `check` to hold, re-checking every few ms; fails with `what` at the deadline. */
export async function waitUntil(
  check: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Polls `read` until it gives a truthy value, and returns that value. A throw counts as "not
 * yet" (a server still starting); the last one is reported if the deadline passes.
 */
export async function waitForValue<T>(
  read: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last === undefined ? '' : ` (last error: ${String(last)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

let counter = 0;

/** A canonical event with a unique id. */
export function makeEvent(overrides: Partial<VigilEvent> = {}): VigilEvent {
  counter += 1;
  return {
    id: `stream-test-${process.pid}-${counter}-${randomBytes(4).toString('hex')}`,
    type: 'note',
    kind: 'log',
    ts: Date.parse('2026-02-16T14:30:00Z') + counter,
    ...EMPTY_EVENT_FIELDS,
    message: `event ${counter}`,
    source: { adapter: 'test', file: null, line: null, offset: null },
    attrs: {},
    ...overrides,
  };
}

export function makeEvents(n: number, overrides: Partial<VigilEvent> = {}): VigilEvent[] {
  return Array.from({ length: n }, () => makeEvent(overrides));
}

export interface SseFrame {
  id: string | null;
  event: string;
  data: string;
}

/** The `data` of an event frame, parsed. */
export interface StreamedEvent {
  seq: number;
  event_id: string;
  event_type: string;
  kind: string;
  error_message: string | null;
  session_id: string | null;
  attrs: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * An EventSource-compatible reader: lines end at CRLF, LF or CR; `data:` lines of one frame
 * join with LF; comments (`:`) are kept apart; a frame without data is not dispatched.
 */
export class SseReader {
  readonly frames: SseFrame[] = [];
  /** `performance.now()` when each frame was parsed. */
  readonly receivedAt: number[] = [];
  readonly comments: string[] = [];
  retryMs: number | null = null;
  lastEventId: string | null = null;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  ended = false;
  private partial = '';
  private pendingCr = false;
  private data: string[] = [];
  private eventName = '';
  private id: string | null = null;

  private constructor(private readonly req: ClientRequest) {}

  /** Opens the stream and resolves once the first bytes (the `connected` comment) arrive. */
  static open(
    url: string,
    headers: Record<string, string> = {},
    options: { untilFirstBytes?: boolean } = {},
  ): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers, agent: false });
      const reader = new SseReader(req);
      req.on('error', reject);
      req.on('response', (res) => {
        reader.status = res.statusCode ?? 0;
        reader.headers = res.headers;
        res.setEncoding('utf8');
        let resolved = false;
        res.on('data', (chunk: string) => {
          reader.feed(chunk);
          if (!resolved) {
            resolved = true;
            resolve(reader);
          }
        });
        res.on('end', () => {
          reader.ended = true;
          if (!resolved) resolve(reader);
        });
        res.on('close', () => {
          reader.ended = true;
        });
        res.on('error', () => {
          reader.ended = true;
        });
        if (options.untilFirstBytes === false || res.statusCode !== 200) {
          resolved = true;
          resolve(reader);
        }
      });
      req.end();
    });
  }

  /** Event frames' data, parsed. */
  get events(): StreamedEvent[] {
    return this.frames
      .filter((f) => f.event === 'event')
      .map((f) => JSON.parse(f.data) as StreamedEvent);
  }

  get seqs(): number[] {
    return this.events.map((e) => e.seq);
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    let text = chunk;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    let buf = this.partial + text;
    for (;;) {
      const m = /\r\n|\n|\r/.exec(buf);
      if (m === null) break;
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && m.index === buf.length - 1) {
        this.pendingCr = true;
        this.line(buf.slice(0, m.index));
        buf = '';
        break;
      }
      this.line(buf.slice(0, m.index));
      buf = buf.slice(m.index + m[0].length);
    }
    this.partial = buf;
  }

  private line(line: string): void {
    if (line === '') {
      if (this.id !== null) this.lastEventId = this.id;
      if (this.data.length > 0) {
        this.frames.push({
          id: this.id,
          event: this.eventName || 'message',
          data: this.data.join('\n'),
        });
        this.receivedAt.push(performance.now());
      }
      this.data = [];
      this.eventName = '';
      this.id = null;
      return;
    }
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventName = value;
    else if (field === 'id') this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

export interface WsMessage {
  event: string;
  data?: Record<string, unknown> & { seq?: number };
}

/** A WebSocket client that records every message and protocol ping. */
export class WsCollector {
  readonly messages: WsMessage[] = [];
  /** `performance.now()` when each message arrived. */
  readonly receivedAt: number[] = [];
  pings = 0;
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WsMessage);
      this.receivedAt.push(performance.now());
    });
    ws.on('ping', () => {
      this.pings += 1;
    });
    ws.on('close', () => {
      this.closed = true;
    });
  }

  /** Connects and resolves once `connection_ack` arrived; rejects with the HTTP status if refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<WsCollector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const collector = new WsCollector(ws);
      ws.on('unexpected-response', (_req, res) => {
        reject(
          Object.assign(new Error(`refused with ${res.statusCode}`), { status: res.statusCode }),
        );
        ws.terminate();
      });
      ws.on('error', reject);
      const check = () => {
        if (collector.messages.some((m) => m.event === 'connection_ack')) {
          ws.off('message', check);
          resolve(collector);
        }
      };
      ws.on('message', check);
    });
  }

  named(event: string): WsMessage[] {
    return this.messages.filter((m) => m.event === event);
  }

  /** Sequences of the generic `event` messages. */
  get seqs(): number[] {
    return this.named('event').map((m) => m.data?.seq as number);
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * A raw TCP client that sends `head`, waits for the response to start with `expect`, then
 * stops reading: the kernel buffers fill and the server's writes queue up.
 */
export function openStalledClient(port: number, head: string, expect: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes(expect)) {
        socket.off('data', onData);
        socket.setTimeout(0);
        socket.pause();
        resolve(socket);
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(head));
    socket.setTimeout(10_000, () =>
      reject(new Error(`no ${JSON.stringify(expect)} in ${JSON.stringify(seen)}`)),
    );
    socket.once('close', () => {
      if (!seen.includes(expect))
        reject(new Error(`closed before ${JSON.stringify(expect)}: ${seen}`));
    });
  });
}

export function sseRequestHead(port: number, path = '/api/events/stream'): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`;
}

export function wsUpgradeHead(port: number, path = '/ws'): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`
  );
}

/** `[from, from+1, ..., to]` */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
