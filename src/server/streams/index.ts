import websocketPlugin from '@fastify/websocket';

import type { Hub } from '../../live/hub.js';
import type { VigilApp } from '../types.js';
import { Broadcaster } from './broadcaster.js';
import { CostUpdates } from './cost-update.js';
import { registerEventsStream } from './sse-events.js';
import type { StreamOptions } from './stream-options.js';
import { registerWebsocket, WsClient } from './websocket.js';

export { tuneStreams, type StreamOptions } from './stream-options.js';

/** Largest message a WebSocket client may send (they send only pings and subscriptions). */
const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Live streams: `/api/events/stream` (SSE) and the WebSocket at `/ws` and `/dashboard`.
 * One bus subscription feeds both; each batch is serialized once for every client.
 *
 * @example
 * await registerStreams(app, hub);
 * // curl -N http://127.0.0.1:3030/api/events/stream
 */
export async function registerStreams(
  app: VigilApp,
  hub: Hub,
  options: Partial<StreamOptions> = {},
): Promise<void> {
  if (!app.hasDecorator('websocketServer')) {
    await app.register(websocketPlugin, { options: { maxPayload: WS_MAX_PAYLOAD_BYTES } });
  }
  const fanout = new Broadcaster(hub.bus);
  const costs = new CostUpdates(hub, hub.config.server.streamIntervalMs, (frame) => {
    for (const client of fanout.each(WsClient)) client.send(frame);
  });
  fanout.onBatch((batch) => costs.noteBatch(batch));
  fanout.start();
  registerEventsStream(app, hub, fanout, options);
  registerWebsocket(app, hub, fanout, costs, options);
  // An upgrade refused before it reached a route (Host, token or Origin check, unknown path)
  // leaves a socket that Node's HTTP server no longer manages: close it once the refusal is
  // written, or it lingers half-open and holds up shutdown.
  app.addHook('onResponse', async (request) => {
    const socket = request.raw.socket;
    if (isUpgrade(request.raw.headers.upgrade) && !socket.destroyed) {
      socket.end(() => socket.destroy());
    }
  });
  app.addHook('preClose', async () => {
    costs.stop();
    fanout.stop();
  });
}

function isUpgrade(header: string | undefined): boolean {
  return header !== undefined && header.toLowerCase() === 'websocket';
}
