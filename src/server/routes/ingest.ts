import { Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Hub } from '../../live/hub.js';
import { deriveId, isJsonObject } from '../../sources/shared/fields.js';
import type { LineAdapter, LineContext } from '../../sources/types.js';
import { ErrorBody, httpError } from '../http-error.js';
import type { VigilApp } from '../types.js';

/** Most events accepted in one request. */
export const MAX_BATCH_EVENTS = 10_000;
/** Ingest requests handled at once; more get 429 with Retry-After. */
export const MAX_CONCURRENT_INGESTS = 8;

const ItemError = z.object({
  index: z.number().int(),
  field: z.string().nullable(),
  message: z.string(),
});

const IngestResponse = z.object({
  /** Items that became events (stored now or already stored). */
  accepted: z.number().int(),
  inserted: z.number().int(),
  duplicates: z.number().int(),
  /** Duplicates whose body differed from the stored event with the same id. */
  conflicts: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(ItemError),
});

const Body = z.union([z.array(z.unknown()), z.object({ events: z.array(z.unknown()) })], {
  error: 'expected a JSON array of events or an object {"events": [...]}',
});

const Query = z.object({
  format: z
    .string()
    .min(1)
    .optional()
    .describe("How items are read: `vigil` (default, the export form) or a line format's name"),
});

/**
 * The request body, decompressed. Counts the compressed bytes going in (Fastify checks them
 * against Content-Length) and stops inflating once the output passes `limit`: Fastify answers
 * 413 at that point, and a gzip bomb costs no more than the limit to refuse.
 */
function decompressing(
  raw: Readable,
  encoding: string,
  limit: number,
): Readable & { receivedEncodedLength: number } {
  const inflate =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : createBrotliDecompress();
  const counted = Object.assign(inflate, { receivedEncodedLength: 0 });
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      counted.receivedEncodedLength += chunk.length;
      done(null, chunk);
    },
  });
  let produced = 0;
  const halt = () => {
    raw.unpipe(meter);
    meter.unpipe(inflate);
    meter.destroy();
    inflate.pause();
    // Read and discard the rest of the upload (no inflating), so the client gets its 413.
    raw.resume();
  };
  inflate.on('data', (chunk: Buffer) => {
    produced += chunk.length;
    if (produced > limit) halt();
  });
  // Fastify listens for errors only while it reads the body. Corrupt data met after it has
  // stopped (413 on the limit, or on Content-Length before reading at all) must still find a
  // listener, or it would be thrown and take the hub down.
  inflate.on('error', halt);
  raw.on('error', (error) => counted.destroy(error));
  meter.on('error', (error) => counted.destroy(error));
  raw.pipe(meter).pipe(inflate);
  counted.on('close', () => raw.unpipe(meter));
  return counted;
}

/**
 * `POST /api/events`: batch ingest. Each item is read by a line format (Vigil's own export
 * form by default), validated, and the valid ones are stored in one transaction (deduplicated
 * by id) and published live; invalid ones come back as per-item errors naming the field.
 */
export async function registerIngestRoutes(app: VigilApp, hub: Hub): Promise<void> {
  let inFlight = 0;
  app.post(
    '/api/events',
    {
      schema: {
        tags: ['ingest'],
        summary: 'Store a batch of events (idempotent; per-item errors)',
        description:
          'Send a JSON array of events, or {"events": [...]}, optionally gzip/deflate/br encoded. The body limit applies after decompression. 200: all stored; 207: some items rejected (the rest stored); 400: nothing usable; 413: too large; 429/503: retry after the Retry-After seconds.',
        querystring: Query,
        body: Body,
        response: {
          200: IngestResponse,
          207: IngestResponse,
          400: z.union([IngestResponse, ErrorBody]),
        },
      },
      preParsing: async (request, _reply, payload) => {
        const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding === 'identity') return payload;
        if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) {
          throw httpError(
            415,
            `Content-Encoding ${encoding} is not supported; use gzip, deflate or br`,
          );
        }
        return decompressing(payload, encoding, hub.config.server.bodyLimitBytes);
      },
      onRequest: async (_request, reply) => {
        if (reply.sent) return undefined;
        if (inFlight >= MAX_CONCURRENT_INGESTS) {
          throw httpError(
            429,
            `more than ${MAX_CONCURRENT_INGESTS} ingest requests at once; retry after 1 s`,
            { 'retry-after': '1' },
          );
        }
        inFlight += 1;
        reply.raw.once('close', () => {
          inFlight -= 1;
        });
        return undefined;
      },
    },
    async (request, reply) => {
      const items = Array.isArray(request.body) ? request.body : request.body.events;
      if (items.length > MAX_BATCH_EVENTS) {
        throw httpError(
          413,
          `${items.length} events in one request; send at most ${MAX_BATCH_EVENTS} per request`,
        );
      }
      const format = request.query.format ?? 'vigil';
      const adapter = hub.registry.byName(format);
      if (adapter.mode !== 'lines') {
        throw httpError(
          400,
          `format ${format} reads whole documents; POST /api/events takes line formats (see \`vigil formats\`)`,
        );
      }
      const { events, errors } = parseItems(items, adapter, format);
      for (const e of errors) {
        hub.monitor.reject({
          file: 'POST /api/events',
          line: e.index,
          reason: e.reason,
          message: e.message,
        });
      }
      const result =
        events.length > 0
          ? await hub.ingestEvents(events)
          : { inserted: 0, duplicates: 0, conflicts: 0 };
      const accepted = items.length - errors.length;
      const status = errors.length === 0 ? 200 : accepted > 0 ? 207 : 400;
      return reply.code(status).send({
        accepted,
        inserted: result.inserted,
        duplicates: result.duplicates,
        conflicts: result.conflicts,
        rejected: errors.length,
        errors: errors.map(({ index, field, message }) => ({ index, field, message })),
      });
    },
  );
}

interface ParsedItems {
  events: VigilEvent[];
  errors: { index: number; field: string | null; message: string; reason: string }[];
}

function parseItems(items: readonly unknown[], adapter: LineAdapter, format: string): ParsedItems {
  const events: VigilEvent[] = [];
  const errors: ParsedItems['errors'] = [];
  items.forEach((item, index) => {
    if (!isJsonObject(item)) {
      errors.push({
        index,
        field: null,
        message: 'expected a JSON object',
        reason: 'not_an_object',
      });
      return;
    }
    const text = JSON.stringify(item);
    const ctx: LineContext = {
      file: '',
      logicalPath: `http:${format}`,
      line: index + 1,
      offset: 0,
      text,
      deriveId: (suffix?: string) =>
        deriveId(`http-${format}`, text, ...(suffix === undefined ? [] : [suffix])),
    };
    const parsed = adapter.parseRecord(item, ctx);
    if (!parsed.ok) {
      errors.push({
        index,
        field: parsed.reject.field ?? null,
        message: parsed.reject.message,
        reason: parsed.reject.reason,
      });
      return;
    }
    for (const e of parsed.events) {
      events.push({
        ...e,
        source: { adapter: e.source.adapter, file: null, line: null, offset: null },
      });
    }
  });
  return { events, errors };
}
