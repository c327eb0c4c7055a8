/**
 * What the query routes share: parameter schemas (so every route validates and documents them
 * the same way), JSON-or-CSV negotiation, CSV replies and the error body.
 */
import { Readable } from 'node:stream';

import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { EVENT_KINDS, EVENT_STATUSES } from '../../core/vocabulary.js';
import { csvLine, toCsv } from '../../output/csv.js';
import { badQuery, ErrorBody } from '../http-error.js';
import { parseApiTime, TIME_FORMS } from '../queries/time.js';

function timeParam(bound: 'since' | 'until') {
  return z
    .string()
    .transform((value, ctx) => {
      const ms = parseApiTime(value, bound, Date.now());
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `expected ${TIME_FORMS}, got ${value}` });
        return z.NEVER;
      }
      return ms;
    })
    .optional()
    .describe(
      bound === 'since'
        ? `Inclusive start: ${TIME_FORMS}.`
        : `Exclusive end: ${TIME_FORMS}; default now.`,
    );
}

export const sinceParam = timeParam('since');
export const untilParam = timeParam('until');

/** A list parameter: repeated (`type=a&type=b`) or comma-separated (`type=a,b`). */
export function listParam<T extends z.ZodType<string, string>>(item: T, description: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(item))
    .optional()
    .describe(description);
}

export const kindListParam = listParam(
  z.enum(EVENT_KINDS),
  `Normalised kinds (repeat or comma-separate): ${EVENT_KINDS.join(', ')}.`,
);
export const statusParam = z
  .enum(EVENT_STATUSES)
  .optional()
  .describe(`Event status: ${EVENT_STATUSES.join(', ')}.`);

/** A page size: 1..max; the route applies its own default when it is absent. */
export function limitParam(defaultLimit: number, max: number) {
  return z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .optional()
    .describe(`Page size, 1-${max}; default ${defaultLimit}.`);
}

export const cursorParam = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .describe('Continue after a previous page: its `next_cursor`.');

export const orderParam = z
  .enum(['asc', 'desc'])
  .optional()
  .describe('Time order: `asc` (oldest first) or `desc` (newest first).');

export const formatParam = z
  .enum(['json', 'csv'])
  .optional()
  .describe(
    'Response format; `csv` (or `Accept: text/csv`) gives CSV with a header row. A CSV export is the whole list unless `limit` or `cursor` is given.',
  );

export const booleanParam = (description: string) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe(description);

/** The response map of a route that answers JSON or CSV. */
export function jsonOrCsv<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: {
      description,
      content: {
        'application/json': { schema },
        'text/csv': { schema: z.string().describe('CSV (RFC 4180) with a header row') },
      },
    },
    400: ErrorBody,
  };
}

/** Quality value of a media range in an Accept header (0 when absent). */
function acceptQ(accept: string, type: string): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    if (range.trim() !== type) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(value) && value > best) best = value;
  }
  return best;
}

/**
 * True when the reply should be CSV: `format=csv`, or no `format` and an Accept header that
 * prefers `text/csv` to JSON.
 */
export function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept;
  if (typeof accept !== 'string') return false;
  const csv = acceptQ(accept, 'text/csv');
  return csv > 0 && csv >= acceptQ(accept, 'application/json');
}

function csvHeaders(reply: FastifyReply, name: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="vigil-${name}.csv"`);
}

/** Sends rows as CSV (formula-injection-safe cells, see src/output/csv.ts). */
export function sendCsv(
  reply: FastifyReply,
  name: string,
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
  nextCursor: string | null = null,
): FastifyReply {
  if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
  return csvHeaders(reply, name).send(toCsv(header, rows));
}

/** The cells of `record` in the order of `columns`. */
export function cellsOf<T extends object>(columns: readonly (keyof T)[], record: T): unknown[] {
  return columns.map((c) => record[c]);
}

/** Sends records as CSV, one column per key in `columns` (which is also the header row). */
export function sendCsvRecords<T extends object>(
  reply: FastifyReply,
  name: string,
  columns: readonly (keyof T & string)[],
  records: readonly T[],
  nextCursor: string | null = null,
): FastifyReply {
  return sendCsv(
    reply,
    name,
    columns,
    records.map((r) => cellsOf(columns, r)),
    nextCursor,
  );
}

/** Streams CSV rows as they are produced: memory stays bounded however many there are. */
export function sendCsvStream(
  reply: FastifyReply,
  name: string,
  header: readonly string[],
  rows: AsyncIterable<readonly unknown[]>,
): FastifyReply {
  async function* lines() {
    yield csvLine(header);
    for await (const row of rows) yield csvLine(row);
  }
  return csvHeaders(reply, name).send(Readable.from(lines()));
}

/** Sends a stream (NDJSON, CSV) as it is produced. */
export function sendStream(
  reply: FastifyReply,
  contentType: string,
  stream: AsyncIterable<string>,
): FastifyReply {
  return reply.type(contentType).send(Readable.from(stream));
}

/** The raw query string of a request: the cache key of routes cached per query. */
export function queryKey(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i === -1 ? '' : request.url.slice(i + 1);
}

/** The query string without some parameters (e.g. `format`, which does not change the data). */
export function queryKeyWithout(request: FastifyRequest, ...params: string[]): string {
  const q = new URLSearchParams(queryKey(request));
  for (const p of params) q.delete(p);
  return q.toString();
}

/** Rejects a window whose start is not before its end. */
export function checkWindow(q: { since?: number; until?: number }): void {
  if (q.since !== undefined && q.until !== undefined && q.since >= q.until) {
    throw badQuery('since', 'must be before until');
  }
}
