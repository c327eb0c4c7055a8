import type { Hub } from '../../live/hub.js';
import type { VigilApp } from '../types.js';

/** `POST /api/events`: batch ingest. */
export async function registerIngestRoutes(_app: VigilApp, _hub: Hub): Promise<void> {}
