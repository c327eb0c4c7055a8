import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import {
  IngestStatusBody,
  ingestStatus,
  REJECT_COLUMNS,
  SOURCE_COLUMNS,
} from '../queries/ingest-status.js';
import type { VigilApp } from '../types.js';
import { formatParam, jsonOrCsv, sendCsvRecords, wantsCsv } from './params.js';

/** `GET /api/ingest`: the ingest monitor (sources and lag, rejects, errors). */
export async function registerIngestStatusRoutes(app: VigilApp, hub: Hub): Promise<void> {
  app.get(
    '/api/ingest',
    {
      schema: {
        tags: ['ingest'],
        summary:
          'Live ingest: sources with offset, size and lag; rejects by reason and the latest ones; errors',
        querystring: z.object({
          list: z
            .enum(['sources', 'rejects'])
            .optional()
            .describe('CSV export: which list (default sources)'),
          format: formatParam.describe('json (default) or csv: the sources, or `list=rejects`'),
        }),
        response: jsonOrCsv(IngestStatusBody, 'The ingest monitor'),
      },
    },
    async (request, reply) => {
      const body = ingestStatus(hub.monitor, Date.now());
      if (wantsCsv(request, request.query.format)) {
        return request.query.list === 'rejects'
          ? sendCsvRecords(reply, 'rejects', REJECT_COLUMNS, body.rejects.recent)
          : sendCsvRecords(reply, 'sources', SOURCE_COLUMNS, body.sources);
      }
      return body;
    },
  );
}
