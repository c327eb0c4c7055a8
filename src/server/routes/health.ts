import { z } from 'zod';

import type { Hub } from '../../live/hub.js';
import { VERSION } from '../../version.js';
import type { VigilApp } from '../types.js';

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  backend: z.string(),
  lastSeq: z.number().int(),
  ingest: z.object({
    sources: z.number().int(),
    errors: z.number().int(),
    lagSeconds: z.number(),
  }),
});

/** `/healthz` (readiness) and `/health` (the task board's health check, same payload). */
export async function registerHealthRoutes(app: VigilApp, hub: Hub): Promise<void> {
  const payload = () => {
    const lag = hub.monitor.lagSeconds();
    return {
      status:
        hub.monitor.lastError !== null && Date.now() - hub.monitor.lastError.at < 60_000
          ? ('degraded' as const)
          : ('ok' as const),
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - hub.startedAt) / 1000),
      backend: hub.store.backend,
      lastSeq: hub.bus.lastSeq,
      ingest: { sources: hub.monitor.sources.size, errors: hub.monitor.errors, lagSeconds: lag },
    };
  };
  for (const url of ['/healthz', '/health']) {
    app.get(
      url,
      {
        schema: {
          tags: ['health'],
          summary: 'Readiness: the hub answers and its store is open',
          response: { 200: Health },
        },
      },
      () => payload(),
    );
  }
}
