import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { BOARD_COLUMNS, BOARD_TASK_COLUMNS, BoardBody, computeBoard } from '../queries/board.js';
import { ErrorBody } from '../http-error.js';
import { computeStats, StatsBody } from '../queries/stats.js';
import type { VigilApp } from '../types.js';
import { formatParam, jsonOrCsv, sendCsvRecords, wantsCsv } from './params.js';
import { routeCache } from './route-cache.js';

/** Seed 004's dashboard API: `/api/stats` (tasks and costs) and `/api/tasks` (the board). */
export async function registerBoardRoutes(app: VigilApp, hub: Hub): Promise<void> {
  // The board changes only with board events; stats also with any usage.
  const boards = routeCache<BoardBody>(app, hub, ['board']);
  const stats = routeCache<StatsBody>(app, hub, 'any');
  const board = () => boards.get('board', () => computeBoard(hub.store, Date.now()));

  app.get(
    '/api/tasks',
    {
      schema: {
        tags: ['board'],
        summary: 'The task board: inbox, assigned and done, each task in its latest state',
        querystring: z.object({
          column: z.enum(BOARD_COLUMNS).optional().describe('CSV export: only this column'),
          format: formatParam.describe('json (default) or csv: one row per task'),
        }),
        response: jsonOrCsv(
          BoardBody,
          'The board snapshot, most recently changed first per column',
        ),
      },
    },
    async (request, reply) => {
      const body = await board();
      if (wantsCsv(request, request.query.format)) {
        const columns = request.query.column === undefined ? BOARD_COLUMNS : [request.query.column];
        const rows = columns.flatMap((c) => body[c]);
        return sendCsvRecords(reply, 'board', BOARD_TASK_COLUMNS, rows);
      }
      return body;
    },
  );

  app.get(
    '/api/stats',
    {
      schema: {
        tags: ['board'],
        summary:
          'Current statistics: board task counts and costs (today, 7 and 30 days, all time, per model)',
        querystring: z.object({}),
        response: { 200: StatsBody, 400: ErrorBody },
      },
    },
    async () =>
      stats.get('stats', async () =>
        computeStats(hub.store, hub.config.prices, await board(), Date.now()),
      ),
  );
}
