import type { EventKind } from '../../core/event.js';
import type { Hub } from '../../live/hub.js';
import { QueryCache } from '../queries/cache.js';
import type { VigilApp } from '../types.js';

/**
 * A per-app query cache living `config.server.cacheTtlMs`. With `invalidateOn`, a committed
 * batch holding events of those kinds (`'any'`: any event) drops it at once, so answers that
 * are cheap to recompute never lag the store; without, entries simply expire (seed 001's
 * metrics cache).
 */
export function routeCache<V>(
  app: VigilApp,
  hub: Hub,
  invalidateOn: 'any' | readonly EventKind[] | 'expiry-only',
): QueryCache<V> {
  const cache = new QueryCache<V>(hub.config.server.cacheTtlMs);
  if (invalidateOn === 'expiry-only') return cache;
  const kinds = invalidateOn === 'any' ? null : new Set<EventKind>(invalidateOn);
  const off = hub.bus.subscribe(({ events }) => {
    if (kinds === null || events.some((e) => kinds.has(e.kind))) cache.invalidate();
  });
  app.addHook('onClose', async () => {
    off();
  });
  return cache;
}
