import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { computeSummary, summaryCsv, summaryDocument, SummaryBody } from '../queries/summary.js';
import type { VigilApp } from '../types.js';
import {
  checkWindow,
  formatParam,
  jsonOrCsv,
  queryKeyWithout,
  sinceParam,
  untilParam,
  wantsCsv,
} from './params.js';
import { routeCache } from './route-cache.js';

/**
 * `GET /api/summary`: exactly `vigil summary --format json` (or `--format csv`) for the same
 * `since`/`until`/`model`. Answers are cached per query string for `cacheTtlMs` and dropped on
 * every commit, so a hot dashboard costs one rollup query per interval.
 */
export async function registerSummaryRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const cache = routeCache<{ json: string; csv: string }>(app, hub, 'any');

  app.get(
    '/api/budget',
    {
      schema: {
        tags: ['summary'],
        summary: 'The configured cost budget (`[budget]` in the config file)',
        response: {
          200: z.object({
            daily_usd: z
              .number()
              .nullable()
              .describe('`[budget] daily_usd` or VIGIL_BUDGET_DAILY_USD; null when none is set'),
          }),
        },
      },
    },
    () => ({ daily_usd: hub.config.budgetDailyUsd }),
  );

  app.get(
    '/api/summary',
    {
      schema: {
        tags: ['summary'],
        summary: "The KPI summary of `vigil summary --format json` (seed 003's layout)",
        querystring: z.object({
          since: sinceParam.describe(
            'Start, as `vigil summary --since`: YYYY-MM-DD, ISO-8601 time, epoch ms or a duration back (7d); default 7d',
          ),
          until: untilParam.describe(
            'End, as `vigil summary --until` (a date includes that whole day); default now',
          ),
          model: z.string().min(1).max(256).optional().describe('Only this model'),
          format: formatParam,
        }),
        response: jsonOrCsv(
          SummaryBody,
          'Tasks, success rate, duration, tokens and cost, in total and per model',
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      checkWindow(q);
      const body = await cache.get(queryKeyWithout(request, 'format'), async () => {
        const { summary, since, until } = await computeSummary(
          hub.store,
          hub.config.prices,
          q,
          Date.now(),
        );
        return {
          json: JSON.stringify(summaryDocument(summary, since, until)),
          csv: summaryCsv(summary),
        };
      });
      if (wantsCsv(request, q.format)) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="vigil-summary.csv"')
          .send(body.csv);
      }
      // Serialised once per cache entry: the document was built to SummaryBody's shape.
      return reply.type('application/json; charset=utf-8').send(body.json);
    },
  );
}
