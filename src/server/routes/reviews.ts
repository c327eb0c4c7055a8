import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Hub } from '../../live/hub.js';
import type { EventFilter, Store } from '../../store/types.js';
import { ErrorBody, httpError } from '../http-error.js';
import { filteredPage, iterateOrdered } from '../queries/paging.js';
import {
  buildReviewIndex,
  FINDING_COLUMNS,
  FINDING_FILTER,
  findingMatcher,
  FindingRow,
  REVIEW_COLUMNS,
  REVIEW_FILTER,
  ReviewDetail,
  reviewDetail,
  type ReviewIndex,
  reviewMatcher,
  ReviewRow,
  TIERS,
} from '../queries/reviews.js';
import type { VigilApp } from '../types.js';
import {
  booleanParam,
  cellsOf,
  checkWindow,
  cursorParam,
  formatParam,
  jsonOrCsv,
  limitParam,
  orderParam,
  sendCsvRecords,
  sendCsvStream,
  sinceParam,
  untilParam,
  wantsCsv,
} from './params.js';
import { routeCache } from './route-cache.js';

const tierParam = (description: string) => z.enum(TIERS).optional().describe(description);

/** The parameters every list route of this file takes, besides its own attribute filters. */
const ListQuery = z.object({
  since: sinceParam,
  until: untilParam,
  task: z.string().min(1).max(256).optional().describe('Task id'),
  order: orderParam.describe('Time order; default desc (newest first)'),
  limit: limitParam(100, 1000),
  cursor: cursorParam,
  format: formatParam,
});
type ListQuery = z.infer<typeof ListQuery>;

/**
 * A list route over events with attribute filters: a page (newest first by default) for the
 * caller to send as JSON, or null once it has replied with CSV (the page, or without
 * `limit`/`cursor` every match, streamed).
 */
async function listEvents<T extends object>(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  base: EventFilter,
  q: ListQuery,
  pick: (e: VigilEvent) => T | null,
  csv: { name: string; columns: readonly (keyof T & string)[] },
): Promise<{ items: T[]; nextCursor: string | null } | null> {
  checkWindow(q);
  const filter: EventFilter = { ...base, since: q.since, until: q.until };
  if (q.task !== undefined) filter.taskId = q.task;
  const order = q.order ?? 'desc';
  if (wantsCsv(request, q.format) && q.limit === undefined && q.cursor === undefined) {
    sendCsvStream(
      reply,
      csv.name,
      csv.columns,
      (async function* () {
        for await (const e of iterateOrdered(store, filter, order)) {
          const row = pick(e);
          if (row !== null) yield cellsOf(csv.columns, row);
        }
      })(),
    );
    return null;
  }
  const page = await filteredPage(
    store,
    { ...filter, descending: order === 'desc', cursor: q.cursor },
    q.limit ?? 100,
    pick,
  );
  if (wantsCsv(request, q.format)) {
    sendCsvRecords(reply, csv.name, csv.columns, page.items, page.nextCursor);
    return null;
  }
  return page;
}

/** `/api/reviews`, `/api/reviews/:id` and `/api/findings` (WFC review exports, seed 000). */
export async function registerReviewRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const store = hub.store;
  const indexes = routeCache<ReviewIndex>(app, hub, ['review']);

  app.get(
    '/api/reviews',
    {
      schema: {
        tags: ['reviews'],
        summary: 'Reviews (review_complete): consensus score, tier, passed, MPR, findings count',
        querystring: ListQuery.extend({
          tier: tierParam('Only reviews of this tier'),
          passed: booleanParam('Only passed (true) or blocked (false) reviews'),
          mpr: booleanParam(
            'Only reviews where the Minority Protection Rule did (true) or did not fire',
          ),
        }),
        response: jsonOrCsv(
          z.object({ reviews: z.array(ReviewRow), next_cursor: z.string().nullable() }),
          'A page of reviews, newest first unless `order=asc`',
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const result = await listEvents(
        store,
        request,
        reply,
        REVIEW_FILTER,
        q,
        reviewMatcher({ tier: q.tier, passed: q.passed, mpr: q.mpr }),
        { name: 'reviews', columns: REVIEW_COLUMNS },
      );
      if (result === null) return reply;
      return { reviews: result.items, next_cursor: result.nextCursor };
    },
  );

  app.get(
    '/api/reviews/:id',
    {
      schema: {
        tags: ['reviews'],
        summary: 'One review with its reviewer summaries and findings',
        params: z.object({
          id: z.string().min(1).max(256).describe('Review id from /api/reviews'),
        }),
        response: { 200: ReviewDetail, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, _reply) => {
      const { id } = request.params;
      const index = await indexes.get('reviews', () => buildReviewIndex(store));
      const detail = await reviewDetail(store, index, id);
      if (detail === null) throw httpError(404, `no review ${id}; ids come from /api/reviews`);
      return detail;
    },
  );

  app.get(
    '/api/findings',
    {
      schema: {
        tags: ['reviews'],
        summary: 'Review findings, by reviewer, severity tier, file, category, task or review',
        querystring: ListQuery.extend({
          reviewer: z
            .string()
            .min(1)
            .max(128)
            .optional()
            .describe('Flagged by this reviewer (any of its reviewers)'),
          severity_tier: tierParam('Only findings of this severity tier'),
          file: z
            .string()
            .min(1)
            .max(4096)
            .optional()
            .describe('A file path, or a folder ending in / for every file under it'),
          category: z.string().min(1).max(128).optional().describe('Finding category'),
          review: z.string().min(1).max(256).optional().describe('Review id'),
        }),
        response: jsonOrCsv(
          z.object({ findings: z.array(FindingRow), next_cursor: z.string().nullable() }),
          'A page of findings, newest review first unless `order=asc`',
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const result = await listEvents(
        store,
        request,
        reply,
        FINDING_FILTER,
        q,
        findingMatcher({
          reviewer: q.reviewer,
          severityTier: q.severity_tier,
          file: q.file,
          category: q.category,
          review: q.review,
        }),
        { name: 'findings', columns: FINDING_COLUMNS },
      );
      if (result === null) return reply;
      return { findings: result.items, next_cursor: result.nextCursor };
    },
  );
}
