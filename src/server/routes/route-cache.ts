import type { EventKind } from '../../core/event.js';
import type { Hub } from '../../live/hub.js';
import { QueryCache } from '../queries/cache.js';
import type { VigilApp } from '../types.js';

/**
 * A per-app query cache living `config.server.cacheTtlMs`. A committed batch holding events of
 * the `invalidateOn` kinds (`'any'`: any event) drops it at once, so these answers never lag
 * the store.
 */
export function routeCache<V>(
  app: VigilApp,
  hub: Hub,
  invalidateOn: 'any' | readonly EventKind[],
): QueryCache<V> {
  const cache = new QueryCache<V>(hub.config.server.cacheTtlMs);
  const kinds = invalidateOn === 'any' ? null : new Set<EventKind>(invalidateOn);
  const off = hub.bus.subscribe(({ events }) => {
    if (kinds === null || events.some((e) => kinds.has(e.kind))) cache.invalidate();
  });
  app.addHook('onClose', async () => {
    off();
  });
  return cache;
}
