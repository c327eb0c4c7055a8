import type { Hub } from '../live/hub.js';
import type { WireResponse } from './protocol.js';
import type { PluginRequest } from './sdk.js';
import type { PluginsBody, PluginStatus } from './status.js';

/** What the HTTP routes and /metrics read of a hub's plugins (the PluginHost). */
export interface HubPlugins {
  statuses(): PluginStatus[];
  body(): PluginsBody;
  /** Whether a plugin of this name is mounted on the hub (`[plugin.http]` without port_range). */
  mounted(name: string): boolean;
  /** Forwards a request to a mounted plugin; rejects with RequestFailure. */
  request(name: string, request: PluginRequest): Promise<WireResponse>;
}

const byHub = new WeakMap<Hub, HubPlugins>();

/** Attaches the plugin host started with `hub` (startServer does). */
export function attachPlugins(hub: Hub, plugins: HubPlugins): void {
  byHub.set(hub, plugins);
}

/**
 * The plugins of `hub`, or null when it runs without a plugin host (a hub built for tests).
 *
 * @example
 * const statuses = hubPlugins(hub)?.statuses() ?? [];
 */
export function hubPlugins(hub: Hub): HubPlugins | null {
  return byHub.get(hub) ?? null;
}
