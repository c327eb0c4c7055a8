import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { ErrorBody } from '../http-error.js';
import { MetricsProvider, type WindowParams } from '../queries/metrics.js';
import { GATE_ROW_COLUMNS, QualityGatesBody } from '../queries/quality-gates.js';
import { LIVE_LOOP_COLUMNS, ResolutionBody, resolutionBody } from '../queries/resolution.js';
import { ResourcesBody } from '../queries/resources.js';
import { countByState, TASK_STATES } from '../queries/task-fold.js';
import { drilldownRows, TASK_ROW_COLUMNS, TaskMetricsBody } from '../queries/task-metrics.js';
import { UsageBody, usageBody } from '../queries/usage.js';
import type { VigilApp } from '../types.js';
import { registerMetricsStream } from './metrics-stream.js';
import {
  checkWindow,
  cursorParam,
  formatParam,
  jsonOrCsv,
  limitParam,
  queryKey,
  sendCsv,
  sendCsvRecords,
  sinceParam,
  untilParam,
  wantsCsv,
} from './params.js';

const WINDOW_NOTE = 'Default window: from the start of the hour 24 hours ago until now.';

const WindowQuery = z.object({
  since: sinceParam.describe(`Window start (inclusive). ${WINDOW_NOTE}`),
  until: untilParam,
});

/** The window of a request; its raw `since`/`until` text keys the cache. */
function windowOf(request: FastifyRequest, q: { since?: number; until?: number }): WindowParams {
  checkWindow(q);
  const raw = new URLSearchParams(queryKey(request));
  return {
    since: q.since,
    until: q.until,
    key: `${raw.get('since') ?? ''}|${raw.get('until') ?? ''}`,
  };
}

const csvResponse = (description: string) => ({
  200: {
    description,
    content: { 'text/csv': { schema: z.string().describe('CSV with a header row') } },
  },
  400: ErrorBody,
});

/**
 * Seed 001's observability API: `/api/metrics/{tasks,quality_gates,resolution,resources,usage}`,
 * the CSV exports and the SSE stream. Payloads are cached for `cacheTtlMs` per window.
 */
export async function registerMetricsRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const provider = new MetricsProvider(hub.store, hub.config.prices, hub.config.server.cacheTtlMs);
  const off = hub.bus.subscribe(({ events }) => provider.onCommit(events));
  app.addHook('onClose', async () => {
    off();
  });

  app.get(
    '/api/metrics/tasks',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'Task execution: queue depth, throughput, success/failure/retry rates and the roadmap drill-down',
        querystring: WindowQuery.extend({
          state: z.enum(TASK_STATES).optional().describe('Drill-down: only tasks in this state'),
          roadmap: z
            .string()
            .min(1)
            .max(256)
            .optional()
            .describe('Drill-down: only this roadmap id'),
          epic: z.string().min(1).max(256).optional().describe('Drill-down: only this epic id'),
          limit: limitParam(50, 500),
          cursor: cursorParam,
          format: formatParam.describe(
            'json (default) or csv: the drill-down rows (all of them unless `limit` or `cursor` is given)',
          ),
        }),
        response: jsonOrCsv(TaskMetricsBody, 'Task metrics over the window and a drill-down page'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const w = windowOf(request, q);
      const filters = { state: q.state, roadmap: q.roadmap, epic: q.epic };
      if (wantsCsv(request, q.format) && q.limit === undefined && q.cursor === undefined) {
        const rows = drilldownRows((await provider.taskFold(w)).fold, filters);
        return sendCsvRecords(reply, 'tasks', TASK_ROW_COLUMNS, rows);
      }
      const body = await provider.taskMetrics(w, {
        ...filters,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
      if (wantsCsv(request, q.format)) {
        return sendCsvRecords(
          reply,
          'tasks',
          TASK_ROW_COLUMNS,
          body.drilldown.rows,
          body.drilldown.next_cursor,
        );
      }
      return body;
    },
  );

  app.get(
    '/api/metrics/quality_gates',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'Quality gates: consensus history, approvals and rejections, gate breakdown, rubric averages',
        querystring: WindowQuery.extend({
          limit: limitParam(100, 1000).describe('History entries, newest first; default 100.'),
          format: formatParam.describe('json (default) or csv: every decision of the window'),
        }),
        response: jsonOrCsv(QualityGatesBody, 'Quality-gate decisions over the window'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const w = windowOf(request, q);
      if (wantsCsv(request, q.format)) {
        const { rows } = await provider.gateDecisions(w);
        return sendCsvRecords(reply, 'quality-gates', GATE_ROW_COLUMNS, rows);
      }
      return provider.qualityGates(w, q.limit ?? 100);
    },
  );

  app.get(
    '/api/metrics/resolution',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Resolution loops: the live ones and the history of closed and abandoned loops',
        querystring: WindowQuery.extend({
          limit: limitParam(50, 1000).describe('Recent closed loops listed; default 50.'),
          format: formatParam.describe(
            'json (default) or csv: live loops and loops closed in the window',
          ),
        }),
        response: jsonOrCsv(ResolutionBody, 'Live and historical resolution loops'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const snapshot = await provider.resolutionSnapshot(windowOf(request, q));
      if (wantsCsv(request, q.format)) {
        return sendCsvRecords(
          reply,
          'resolution-loops',
          [...LIVE_LOOP_COLUMNS, 'closed_at', 'duration_seconds'],
          [...snapshot.live, ...snapshot.recent],
        );
      }
      return resolutionBody(snapshot, q.limit ?? 50);
    },
  );

  app.get(
    '/api/metrics/resources',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Resource health: host and process utilisation, provider capacity, cost per task',
        querystring: WindowQuery,
        response: { 200: ResourcesBody, 400: ErrorBody },
      },
    },
    (request) => provider.resources(windowOf(request, request.query)),
  );

  app.get(
    '/api/metrics/usage',
    {
      schema: {
        tags: ['metrics'],
        summary: 'The raw provider usage snapshot, in the layout of state/limits/usage_log.json',
        querystring: WindowQuery,
        response: { 200: UsageBody, 400: ErrorBody },
      },
    },
    (request) => provider.providerUsage(windowOf(request, request.query)).then(usageBody),
  );

  app.get(
    '/api/metrics/export/tasks',
    {
      schema: {
        tags: ['metrics', 'export'],
        summary: 'CSV: task counts per state over the window',
        querystring: WindowQuery,
        response: csvResponse('CSV `state,count`, one row per state (zeros included)'),
      },
    },
    async (request, reply) => {
      const { fold } = await provider.taskFold(windowOf(request, request.query));
      return sendCsv(reply, 'task-states', ['state', 'count'], Object.entries(countByState(fold)));
    },
  );

  app.get(
    '/api/metrics/export/resolution',
    {
      schema: {
        tags: ['metrics', 'export'],
        summary: 'CSV: the active resolution loops',
        querystring: WindowQuery,
        response: csvResponse(`CSV with columns ${LIVE_LOOP_COLUMNS.join(', ')}`),
      },
    },
    async (request, reply) => {
      const snapshot = await provider.resolutionSnapshot(windowOf(request, request.query));
      return sendCsvRecords(reply, 'active-loops', LIVE_LOOP_COLUMNS, snapshot.live);
    },
  );

  await registerMetricsStream(app, hub, provider);
}
