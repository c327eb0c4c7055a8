import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import {
  foldKnowledge,
  KnowledgeBody,
  knowledgeBody,
  type KnowledgeFold,
} from '../queries/knowledge.js';
import type { VigilApp } from '../types.js';
import { formatParam, jsonOrCsv, sendCsvRecords, wantsCsv } from './params.js';
import { routeCache } from './route-cache.js';

/** `GET /api/knowledge`: reviewer knowledge health (seed 000's dashboard view). */
export async function registerKnowledgeRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const folds = routeCache<KnowledgeFold>(app, hub, ['knowledge']);

  app.get(
    '/api/knowledge',
    {
      schema: {
        tags: ['reviews'],
        summary:
          'Knowledge entries per reviewer and section, with staleness, bloat and drift per reviewer',
        querystring: z.object({
          reviewer: z.string().min(1).max(128).optional().describe('Only this reviewer'),
          stale_days: z.coerce
            .number()
            .int()
            .min(1)
            .max(36_500)
            .optional()
            .describe('A dated entry older than this many days is stale; default 90'),
          bloat_limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(1_000_000)
            .optional()
            .describe('More entries than this is bloat; default 150 (WFC drift detector limit)'),
          format: formatParam.describe('json (default) or csv: entries per reviewer and section'),
        }),
        response: jsonOrCsv(KnowledgeBody, 'Knowledge health per reviewer'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const fold = await folds.get('knowledge', () => foldKnowledge(hub.store));
      const body = knowledgeBody(
        fold,
        { reviewer: q.reviewer, staleDays: q.stale_days ?? 90, bloatLimit: q.bloat_limit ?? 150 },
        Date.now(),
      );
      if (wantsCsv(request, q.format)) {
        return sendCsvRecords(reply, 'knowledge', ['reviewer', 'section', 'entries'], body.entries);
      }
      return body;
    },
  );
}
