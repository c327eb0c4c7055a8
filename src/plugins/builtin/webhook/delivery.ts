import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

import type { PluginLogger } from '../../sdk.js';
import { backoffDelayMs, createSleep } from '../shared/backoff.js';
import { BoundedQueue } from '../shared/bounded-queue.js';
import {
  bareHost,
  RefusedAddressError,
  resolveWebhookTarget,
  type ResolveAll,
} from './address-guard.js';

export interface DeliveryOptions {
  url: URL;
  /** Extra request headers (e.g. Authorization); never logged. */
  headers: Readonly<Record<string, string>>;
  userAgent: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxQueue: number;
  allowUnsafe: boolean;
  log: PluginLogger;
  /** For tests: how host names resolve (default node:dns lookup, all addresses). */
  resolveAll?: ResolveAll;
}

/** The longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 600_000;

/** A POST's outcome: the status, and Retry-After in ms when the server sent one. */
interface Answer {
  status: number;
  retryAfterMs: number | null;
}

/**
 * Retry-After as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3), capped at
 * 10 minutes; null when absent or unreadable.
 *
 * @example
 * parseRetryAfter('3') // 3000
 */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  let ms = Number.NaN;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (/^[A-Za-z]{3}/.test(text)) ms = Date.parse(text) - nowMs;
  if (!Number.isFinite(ms)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** Connects to `address` whatever name is asked: the address the guard checked. */
function pinnedLookup(address: string, family: number): LookupFunction {
  return ((_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    } else callback(null, address, family);
  }) as LookupFunction;
}

function post(url: URL, body: Buffer, headers: Record<string, string>, options: DeliveryOptions) {
  return resolveWebhookTarget(url, options.allowUnsafe, options.resolveAll).then(
    (target) =>
      new Promise<Answer>((resolve, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(
          {
            protocol: url.protocol,
            host: bareHost(url),
            port: url.port || undefined,
            path: `${url.pathname}${url.search}`,
            method: 'POST',
            ...(url.username || url.password
              ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
              : {}),
            headers: { ...headers, 'Content-Length': String(body.length) },
            lookup: pinnedLookup(target.address, target.family),
            timeout: options.timeoutMs,
            agent: false,
          },
          (res) => {
            const retryAfter = (res.headers as IncomingHttpHeaders)['retry-after'];
            res.resume();
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, retryAfterMs: parseRetryAfter(retryAfter) }),
            );
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      }),
  );
}

interface Delivery {
  id: string;
  rule: string;
  body: Buffer;
}

/**
 * Delivers alert payloads to the webhook URL, one at a time in order, from a bounded queue
 * (the oldest dropped and counted when full). Each POST is retried with exponential backoff and
 * jitter on network errors, timeouts, 5xx and 429 (honouring Retry-After), up to `maxRetries`
 * times, then given up and logged. Other answers (3xx, 4xx) and refused addresses are not
 * retried. Logs name only the URL's origin: paths and headers may hold secrets.
 *
 * @example
 * const delivery = createWebhookDelivery({ url: new URL('https://hooks.example.com/x'), ... });
 * delivery.enqueue({ rule: 'review_blocked', summary: 'Review blocked for TASK-1', ... });
 * await delivery.close(5_000);
 */
export function createWebhookDelivery(options: DeliveryOptions) {
  const { log, url } = options;
  const origin = url.origin;
  const queue = new BoundedQueue<Delivery>(options.maxQueue);
  const stats = { delivered: 0, failed: 0, dropped: 0, attempts: 0 };
  let running = false;
  let closed = false;
  let sleeper: { cancel(): void } | null = null;
  let idle: (() => void)[] = [];

  async function deliver(item: Delivery): Promise<void> {
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': options.userAgent,
      'Idempotency-Key': item.id,
      ...options.headers,
    };
    for (let attempt = 0; ; attempt += 1) {
      let why: string;
      let waitMs: number | null = null;
      stats.attempts += 1;
      try {
        const answer = await post(url, item.body, headers, options);
        if (answer.status >= 200 && answer.status < 300) {
          stats.delivered += 1;
          return;
        }
        why = `HTTP ${answer.status}`;
        if (answer.status !== 429 && answer.status < 500) {
          stats.failed += 1;
          log.error(`${origin} refused the ${item.rule} alert (${why}); not retried`);
          return;
        }
        waitMs = answer.retryAfterMs;
      } catch (error) {
        if (error instanceof RefusedAddressError) {
          stats.failed += 1;
          log.error(`${item.rule} alert not sent to ${origin}: ${error.message}`);
          return;
        }
        why = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= options.maxRetries || closed) {
        stats.failed += 1;
        log.error(
          `gave up on the ${item.rule} alert to ${origin} after ${attempt + 1} attempts (${why})`,
        );
        return;
      }
      const delay =
        waitMs ??
        backoffDelayMs(attempt, { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs });
      log.warn(`${item.rule} alert to ${origin} failed (${why}); retry in ${delay} ms`);
      const pause = createSleep(delay);
      sleeper = pause;
      const completed = await pause.done;
      sleeper = null;
      if (!completed && closed) {
        stats.failed += 1;
        log.error(`${item.rule} alert to ${origin} not sent before shutdown (${why})`);
        return;
      }
    }
  }

  async function run(): Promise<void> {
    running = true;
    try {
      for (let item = queue.shift(); item; item = queue.shift()) await deliver(item);
    } finally {
      running = false;
      for (const wake of idle) wake();
      idle = [];
    }
  }

  return {
    /** Queues a payload for delivery; never blocks. */
    enqueue(payload: { rule: string } & Record<string, unknown>): void {
      if (closed) return;
      const body = Buffer.from(JSON.stringify(payload), 'utf8');
      if (queue.push({ id: randomUUID(), rule: payload.rule, body }) > 0) {
        stats.dropped += 1;
        log.warn(
          `queue of ${options.maxQueue} alerts full; oldest dropped (${stats.dropped} in all)`,
        );
      }
      if (!running) void run();
    },
    /** Waits up to `timeoutMs` for queued alerts to be delivered, then stops retrying. */
    async close(timeoutMs: number): Promise<void> {
      if (running) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          idle.push(resolve);
          timer = setTimeout(resolve, timeoutMs);
        });
        clearTimeout(timer);
      }
      closed = true;
      sleeper?.cancel();
      const left = queue.drain().length;
      if (left > 0) log.warn(`${left} queued alerts not sent before shutdown`);
    },
    stats: () => ({ ...stats, queued: queue.size }),
  };
}
export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
