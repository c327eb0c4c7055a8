import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import {
  BYPASS_COLUMNS,
  BYPASS_STATUSES,
  BypassesBody,
  bypassesBody,
  type BypassFold,
  bypassRows,
  foldBypasses,
} from '../queries/bypasses.js';
import type { VigilApp } from '../types.js';
import { formatParam, jsonOrCsv, sendCsvRecords, wantsCsv } from './params.js';
import { routeCache } from './route-cache.js';

/** `GET /api/bypasses`: the bypass monitor (active, expired, revoked). */
export async function registerBypassRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const folds = routeCache<BypassFold>(app, hub, ['bypass']);

  app.get(
    '/api/bypasses',
    {
      schema: {
        tags: ['reviews'],
        summary: 'Emergency bypasses: active (with time left), expired, revoked; score at bypass',
        querystring: z.object({
          status: z.enum(BYPASS_STATUSES).optional().describe('Only bypasses in this state'),
          task: z.string().min(1).max(256).optional().describe('Only bypasses of this task'),
          format: formatParam,
        }),
        response: jsonOrCsv(BypassesBody, 'Bypasses, newest first, with counts per state'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const now = Date.now();
      const fold = await folds.get('bypasses', () => foldBypasses(hub.store));
      const body = bypassesBody(bypassRows(fold, now), { status: q.status, task: q.task }, now);
      if (wantsCsv(request, q.format)) {
        return sendCsvRecords(reply, 'bypasses', BYPASS_COLUMNS, body.bypasses);
      }
      return body;
    },
  );
}
