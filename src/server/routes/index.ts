import type { Hub } from '../../live/hub.js';
import type { VigilApp } from '../types.js';

/** The query API (`/api/...`): metrics, stats, tasks, events, sessions, summary, reviews, ... */
export async function registerApiRoutes(_app: VigilApp, _hub: Hub): Promise<void> {}
