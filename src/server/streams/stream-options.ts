import type { Hub } from '../../live/hub.js';

/** Tuning shared by the SSE stream and the WebSocket. */
export interface StreamOptions {
  /**
   * Bytes a client may leave unread (queued in the server's socket buffer) before the next
   * batch; a client above it has stopped reading and is dropped.
   */
  bufferLimitBytes: number;
  /** SSE comment heartbeat cadence, ms. */
  heartbeatMs: number;
  /** WebSocket protocol ping cadence, ms; a peer that misses one pong is dropped. */
  wsPingMs: number;
  /** The `retry:` hint sent to EventSource clients, ms. */
  retryMs: number;
  /** Events read from the store per page when a client resumes. */
  replayPageSize: number;
  /**
   * Live events held for a client while it replays; past this the held events are discarded
   * and the replay simply reads further from the store (nothing is lost, memory stays bounded).
   */
  replayHoldEvents: number;
}

export const STREAM_DEFAULTS: Readonly<StreamOptions> = {
  bufferLimitBytes: 1 << 20,
  heartbeatMs: 15_000,
  wsPingMs: 30_000,
  retryMs: 3_000,
  replayPageSize: 1_000,
  replayHoldEvents: 20_000,
};

const overrides = new WeakMap<Hub, Partial<StreamOptions>>();

/**
 * Adjusts stream tuning for one hub; read when a client connects, so it applies to clients
 * that connect afterwards.
 *
 * @example
 * tuneStreams(hub, { bufferLimitBytes: 64 * 1024, heartbeatMs: 200 });
 */
export function tuneStreams(hub: Hub, options: Partial<StreamOptions>): void {
  overrides.set(hub, { ...overrides.get(hub), ...options });
}

/** The options in force for `hub`: defaults, then registration options, then `tuneStreams`. */
export function streamOptionsFor(hub: Hub, base: Partial<StreamOptions> = {}): StreamOptions {
  return { ...STREAM_DEFAULTS, ...base, ...overrides.get(hub) };
}
