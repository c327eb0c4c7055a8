import type { Hub } from '../../live/hub.js';
import type { VigilApp } from '../types.js';

/** Prometheus `/metrics`. */
export async function registerMetrics(_app: VigilApp, _hub: Hub): Promise<void> {}
