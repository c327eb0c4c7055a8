import type { Hub } from '../../live/hub.js';
import type { VigilApp } from '../types.js';

/** Live streams: `/api/events/stream` (SSE) and the WebSocket. */
export async function registerStreams(_app: VigilApp, _hub: Hub): Promise<void> {}
