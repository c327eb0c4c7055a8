import type { Hub } from '../../live/hub.js';
import type { VigilApp } from '../types.js';
import { registerBoardRoutes } from './board.js';
import { registerBypassRoutes } from './bypasses.js';
import { registerEventRoutes } from './events.js';
import { registerIngestStatusRoutes } from './ingest-status.js';
import { registerKnowledgeRoutes } from './knowledge.js';
import { registerMetricsRoutes } from './metrics.js';
import { registerReviewRoutes } from './reviews.js';
import { registerSessionRoutes } from './sessions.js';
import { registerSummaryRoutes } from './summary.js';

/**
 * The query API (`/api/...`): seed 001's metrics and stream, seed 004's stats and board,
 * events, sessions, the summary, reviews, findings, knowledge, bypasses and ingest status.
 * docs/api.md documents every route; /api/openapi.json describes them.
 */
export async function registerApiRoutes(app: VigilApp, hub: Hub): Promise<void> {
  await registerMetricsRoutes(app, hub);
  await registerBoardRoutes(app, hub);
  await registerEventRoutes(app, hub);
  await registerSessionRoutes(app, hub);
  await registerSummaryRoutes(app, hub);
  await registerReviewRoutes(app, hub);
  await registerKnowledgeRoutes(app, hub);
  await registerBypassRoutes(app, hub);
  await registerIngestStatusRoutes(app, hub);
}
