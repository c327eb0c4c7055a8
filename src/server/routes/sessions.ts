import { z } from 'zod';

import { EVENT_STATUSES } from '../../core/vocabulary.js';
import type { Hub } from '../../live/hub.js';
import { eventToCsvRow, EXPORT_COLUMNS } from '../../output/event-json.js';
import type { SessionInfo } from '../../store/types.js';
import { ErrorBody, httpError } from '../http-error.js';
import { EventPageBody, exportEvent } from '../queries/events.js';
import { iterateOrdered, queryPage } from '../queries/paging.js';
import { isoOf } from '../queries/time.js';
import type { VigilApp } from '../types.js';
import {
  checkWindow,
  cursorParam,
  formatParam,
  jsonOrCsv,
  limitParam,
  orderParam,
  sendCsv,
  sendCsvRecords,
  sendCsvStream,
  sinceParam,
  untilParam,
  wantsCsv,
} from './params.js';

const SessionRow = z.object({
  session_id: z.string(),
  first_at: z.string(),
  last_at: z.string(),
  event_count: z.number().int(),
  status: z
    .enum(EVENT_STATUSES)
    .nullable()
    .describe('Status of the latest session event (started, success, failure, cancelled)'),
  models: z.array(z.string()),
  adapters: z.array(z.string()),
  tokens_input: z.number().int(),
  tokens_output: z.number().int(),
});
type SessionRow = z.infer<typeof SessionRow>;

const SessionDetail = SessionRow.extend({
  counts_by_kind: z.record(z.string(), z.number().int()),
  counts_by_type: z.record(z.string(), z.number().int()),
  tasks: z.object({
    total: z.number().int(),
    success: z.number().int(),
    failure: z.number().int(),
    incomplete: z.number().int(),
  }),
  phases: z.array(z.string()).describe('Phases in the order the session entered them'),
});

const SESSION_COLUMNS = [
  'session_id',
  'first_at',
  'last_at',
  'event_count',
  'status',
  'models',
  'adapters',
  'tokens_input',
  'tokens_output',
] as const satisfies readonly (keyof SessionRow)[];

function sessionRow(s: SessionInfo): SessionRow {
  return {
    session_id: s.sessionId,
    first_at: isoOf(s.firstTs),
    last_at: isoOf(s.lastTs),
    event_count: s.eventCount,
    status: s.status,
    models: s.models,
    adapters: s.adapters,
    tokens_input: s.tokensIn,
    tokens_output: s.tokensOut,
  };
}

/** `/api/sessions` (by date range) and `/api/sessions/:id` (summary and timeline). */
export async function registerSessionRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const store = hub.store;

  app.get(
    '/api/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sessions active in a date range, newest first (`vigil sessions`)',
        querystring: z.object({
          since: sinceParam,
          until: untilParam,
          limit: limitParam(100, 10_000),
          format: formatParam,
        }),
        response: jsonOrCsv(
          z.object({ sessions: z.array(SessionRow) }),
          'Sessions whose activity overlaps the range',
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      checkWindow(q);
      const sessions = (
        await store.listSessions({ since: q.since, until: q.until, limit: q.limit ?? 100 })
      ).map(sessionRow);
      if (wantsCsv(request, q.format)) {
        return sendCsvRecords(reply, 'sessions', SESSION_COLUMNS, sessions);
      }
      return { sessions };
    },
  );

  app.get(
    '/api/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: "One session's summary and its timeline (its events in time order, paginated)",
        params: z.object({ id: z.string().min(1).max(256).describe('Session id') }),
        querystring: z.object({
          limit: limitParam(100, 1000),
          cursor: cursorParam,
          order: orderParam,
          format: formatParam.describe(
            'json (default) or csv: the timeline as CSV (every event unless `limit` or `cursor` is given)',
          ),
        }),
        response: {
          ...jsonOrCsv(
            z.object({ session: SessionDetail, timeline: EventPageBody }),
            'The session summary and a page of its timeline',
          ),
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const q = request.query;
      const summary = await store.getSession(id);
      if (summary === null) throw httpError(404, `no session ${id}`);
      const order = q.order ?? 'asc';
      // The id goes into the attachment's file name: only characters safe in a header.
      const csvName = `session-${id.replace(/[^\w.-]/g, '_')}`;
      if (wantsCsv(request, q.format) && q.limit === undefined && q.cursor === undefined) {
        return sendCsvStream(
          reply,
          csvName,
          EXPORT_COLUMNS,
          (async function* () {
            for await (const e of iterateOrdered(store, { sessionId: id }, order))
              yield eventToCsvRow(e);
          })(),
        );
      }
      const page = await queryPage(store, {
        sessionId: id,
        descending: order === 'desc',
        limit: q.limit ?? 100,
        cursor: q.cursor,
      });
      if (wantsCsv(request, q.format)) {
        return sendCsv(
          reply,
          csvName,
          EXPORT_COLUMNS,
          page.events.map(eventToCsvRow),
          page.nextCursor,
        );
      }
      return {
        session: {
          ...sessionRow(summary),
          counts_by_kind: summary.countsByKind as Record<string, number>,
          counts_by_type: summary.countsByType,
          tasks: summary.tasks,
          phases: summary.phases,
        },
        timeline: { events: page.events.map(exportEvent), next_cursor: page.nextCursor },
      };
    },
  );
}
