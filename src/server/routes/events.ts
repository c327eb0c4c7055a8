import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Hub } from '../../live/hub.js';
import { eventToCsvRow, eventToExport, EXPORT_COLUMNS } from '../../output/event-json.js';
import { EventPageBody, eventFilterOf, ExportedEvent, exportEvent } from '../queries/events.js';
import { ErrorBody } from '../http-error.js';
import { iterateOrdered, queryPage } from '../queries/paging.js';
import type { VigilApp } from '../types.js';
import {
  checkWindow,
  cursorParam,
  kindListParam,
  limitParam,
  listParam,
  orderParam,
  queryKey,
  queryKeyWithout,
  sendCsv,
  sendCsvRecords,
  sendCsvStream,
  sendStream,
  sinceParam,
  statusParam,
  untilParam,
  wantsCsv,
} from './params.js';
import { routeCache } from './route-cache.js';

/** The filters of `vigil events`, as query parameters. */
export const EventFilterQuery = z.object({
  type: listParam(
    z.string().min(1).max(128),
    'Event types as the source wrote them (repeat or comma-separate).',
  ),
  kind: kindListParam,
  session: z.string().min(1).max(256).optional().describe('Session id.'),
  task: z.string().min(1).max(256).optional().describe('Task id.'),
  phase: z.string().min(1).max(128).optional().describe('Phase.'),
  role: z.string().min(1).max(128).optional().describe('Agent role.'),
  model: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe("Model (events without one match their task's model)."),
  status: statusParam,
  adapter: z.string().min(1).max(64).optional().describe('Source adapter (`vigil formats`).'),
  q: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe(
      'Free text: a case-insensitive substring of the message, attrs (as JSON), type, task, session, model, phase or agent role.',
    ),
  since: sinceParam,
  until: untilParam,
});

const EventsQuery = EventFilterQuery.extend({
  latest: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe(
      'The N most recent matching events (oldest first, or newest first with `order=desc`); no cursor.',
    ),
  limit: limitParam(100, 1000),
  cursor: cursorParam,
  order: orderParam,
  format: z
    .enum(['json', 'csv', 'ndjson'])
    .optional()
    .describe(
      'json (default), csv (or `Accept: text/csv`) or ndjson. CSV and NDJSON without `latest`, `limit` or `cursor` stream every matching event.',
    ),
});

const TypesBody = z.object({
  types: z.array(
    z.object({ type: z.string(), kind: z.string(), count: z.number().int().nonnegative() }),
  ),
});

/** `/api/events` (filters, pagination, exports), `/api/events/count`, `/api/events/types`. */
export async function registerEventRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const store = hub.store;
  // Counting and grouping may read every matching event: reuse answers until the next commit.
  const counts = routeCache<number>(app, hub, 'any');
  const types = routeCache<{ type: string; kind: string; count: number }[]>(app, hub, 'any');

  app.get(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Query events with the filters of `vigil events`, paginated or exported',
        querystring: EventsQuery,
        response: {
          200: {
            description:
              'A page of events in export form; CSV and NDJSON exports stream every match',
            content: {
              'application/json': { schema: EventPageBody },
              'text/csv': { schema: z.string().describe('CSV with a header row') },
              'application/x-ndjson': { schema: z.string().describe('One event per line') },
            },
          },
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      checkWindow(q);
      const filter = eventFilterOf(q);
      const order = q.order ?? 'asc';
      const format =
        q.format === 'ndjson' ? 'ndjson' : wantsCsv(request, q.format) ? 'csv' : 'json';
      let events: VigilEvent[];
      let nextCursor: string | null = null;
      if (q.latest !== undefined) {
        const page = await queryPage(store, { ...filter, descending: true, limit: q.latest });
        events = order === 'desc' ? page.events : page.events.reverse();
      } else if (format !== 'json' && q.limit === undefined && q.cursor === undefined) {
        const all = iterateOrdered(store, filter, order);
        if (format === 'csv') return sendCsvStream(reply, 'events', EXPORT_COLUMNS, rowsOf(all));
        return sendStream(reply, 'application/x-ndjson; charset=utf-8', ndjson(all));
      } else {
        const page = await queryPage(store, {
          ...filter,
          descending: order === 'desc',
          limit: q.limit ?? 100,
          cursor: q.cursor,
        });
        events = page.events;
        nextCursor = page.nextCursor;
      }
      if (format === 'csv') {
        return sendCsv(reply, 'events', EXPORT_COLUMNS, events.map(eventToCsvRow), nextCursor);
      }
      if (format === 'ndjson') {
        if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
        return reply
          .type('application/x-ndjson; charset=utf-8')
          .send(events.map((e) => `${JSON.stringify(eventToExport(e))}\n`).join(''));
      }
      return { events: events.map(exportEvent), next_cursor: nextCursor };
    },
  );

  app.get(
    '/api/events/count',
    {
      schema: {
        tags: ['events'],
        summary: 'How many events match the filters (`vigil events --count`)',
        querystring: EventFilterQuery,
        response: { 200: z.object({ count: z.number().int().nonnegative() }), 400: ErrorBody },
      },
    },
    (request) => {
      checkWindow(request.query);
      return counts
        .get(queryKey(request), () => store.countEvents(eventFilterOf(request.query)))
        .then((count) => ({ count }));
    },
  );

  app.get(
    '/api/events/types',
    {
      schema: {
        tags: ['events'],
        summary: 'Event types that match the filters, with counts (`vigil events --types`)',
        querystring: EventFilterQuery.extend({
          format: z.enum(['json', 'csv']).optional().describe('json (default) or csv'),
        }),
        response: {
          200: {
            description: 'Types with their kind and count, most frequent first',
            content: {
              'application/json': { schema: TypesBody },
              'text/csv': { schema: z.string().describe('CSV: type,kind,count') },
            },
          },
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      checkWindow(request.query);
      const filter = eventFilterOf(request.query);
      const rows = await types.get(queryKeyWithout(request, 'format'), () =>
        store.countByType(filter),
      );
      if (wantsCsv(request, request.query.format)) {
        return sendCsvRecords(reply, 'event-types', ['type', 'kind', 'count'], rows);
      }
      return { types: rows };
    },
  );
  app.get(
    '/api/events/committed',
    {
      schema: {
        tags: ['events'],
        summary: 'Events in commit order after a commit sequence (polling in place of a stream)',
        querystring: z.object({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .describe('The last sequence already seen (0 for the oldest events).'),
          limit: limitParam(500, 5000),
        }),
        response: {
          200: z.object({
            events: z.array(ExportedEvent.extend({ seq: z.number().int() })),
            last_seq: z
              .number()
              .int()
              .describe('The newest committed sequence; the page is complete when it is reached'),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request, _reply) => {
      const { after, limit } = request.query;
      const rows = await store.eventsAfter(after, limit ?? 500);
      return {
        events: rows.map(({ seq, event }) => ({ ...exportEvent(event), seq })),
        last_seq: Math.max(hub.bus.lastSeq, rows.at(-1)?.seq ?? 0),
      };
    },
  );
}

async function* rowsOf(events: AsyncIterable<VigilEvent>): AsyncIterable<unknown[]> {
  for await (const e of events) yield eventToCsvRow(e);
}

async function* ndjson(events: AsyncIterable<VigilEvent>): AsyncIterable<string> {
  for await (const e of events) yield `${JSON.stringify(eventToExport(e))}\n`;
}
