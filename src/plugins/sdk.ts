/**
 * The plugin SDK: what a plugin module exports and what it receives. Plugin authors import it
 * as `vigil/plugin` (types, and `definePlugin` for inference); the hub's plugin host and the
 * first-party plugins use the same definitions.
 *
 * @example
 * import { definePlugin } from 'vigil/plugin';
 * export default definePlugin({
 *   activate(ctx) { ctx.log.info(`watching ${ctx.config.label}`); },
 *   onEvent(event, ctx) { if (event.event_type === 'review_complete') ctx.log.info(event.task_id); },
 * });
 */

/** A committed event in export form: the same fields as `/api/events` items and `vigil export`. */
export interface PluginEvent {
  event_id: string;
  event_type: string;
  kind: string;
  /** ISO-8601, UTC. */
  timestamp: string;
  task_id: string | null;
  session_id: string | null;
  phase: string | null;
  agent_role: string | null;
  model: string | null;
  status: string | null;
  duration_seconds: number | null;
  tokens_input: number | null;
  tokens_output: number | null;
  tokens_cache_read: number | null;
  tokens_cache_write: number | null;
  cost_usd: number | null;
  error_message: string | null;
  source_adapter: string;
  source_file: string | null;
  source_line: number | null;
  attrs: Record<string, unknown>;
  /** Commit sequence in the hub's store: strictly increasing, one per committed event. */
  seq: number;
}

/**
 * An event as `ctx.queryEvents` returns it: a stored event in export form, in time order. It
 * has no `seq` (that is the delivery order of `onEvent`, which queries do not follow).
 */
export type PluginQueriedEvent = Omit<PluginEvent, 'seq'>;

/** Filters of `ctx.queryEvents` (the same as `/api/events`); times are ISO-8601 or epoch ms. */
export interface PluginEventQuery {
  type?: string | readonly string[];
  kind?: string | readonly string[];
  taskId?: string;
  sessionId?: string;
  agentRole?: string;
  model?: string;
  phase?: string;
  since?: string | number;
  until?: string | number;
  /** Newest first when set with no `since`; at most 10,000. Default 100. */
  limit?: number;
}

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A request to `/plugins/{name}/...` on the hub, after the hub's own security checks. */
export interface PluginRequest {
  method: string;
  /** The path below the plugin's mount point, starting with `/`. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** The raw body, UTF-8; absent for GET and HEAD. */
  body?: string;
}

export interface PluginResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

/**
 * Read-only access to the hub (seed 000's PluginContext). Query methods are asynchronous: a
 * third-party plugin runs in its own process and asks the hub over IPC.
 */
export interface PluginContext {
  readonly plugin: { readonly name: string; readonly version: string; readonly dir: string };
  readonly vigilVersion: string;
  /** `[plugin.config]` defaults merged with `[plugins.<name>]` from the Vigil config file. */
  readonly config: Readonly<Record<string, unknown>>;
  /** A folder of the plugin's own for state and output files (created before activate). */
  readonly dataDir: string;
  readonly log: PluginLogger;
  /** Where the plugin is reachable over HTTP, when `[plugin.http] enabled = true`. */
  readonly http: {
    /** `/plugins/{name}` on the hub, when mounted there. */
    readonly mountPath: string | null;
    /** The port picked from `port_range` for the plugin to listen on itself, else null. */
    readonly port: number | null;
  };
  /**
   * Stored events matching `query`: with `since`, the first `limit` from then on, oldest first;
   * without it, the latest `limit`, newest first.
   */
  queryEvents(query?: PluginEventQuery): Promise<PluginQueriedEvent[]>;
  /** The KPI summary of the last `days` days (default 30): the numbers of `/api/summary`. */
  queryTelemetry(options?: { days?: number }): Promise<Record<string, unknown>>;
  /** Review reports of the last `days` days (default 30): the items of `/api/reviews`. */
  queryReviews(options?: { days?: number }): Promise<Record<string, unknown>[]>;
  /** Knowledge health (staleness, bloat, drift) per reviewer, or for one: `/api/knowledge`. */
  queryDrift(reviewer?: string): Promise<Record<string, unknown>[]>;
  /** Bypass records, active only by default: the items of `/api/bypasses`. */
  queryBypasses(options?: { activeOnly?: boolean }): Promise<Record<string, unknown>[]>;
}

/** What a plugin module exports by default (or under the name after `:` in `entry_point`). */
export interface PluginDefinition {
  /** Called once after load, before any event; a throw marks the plugin failed (and retried). */
  activate?(ctx: PluginContext): void | Promise<void>;
  /** Called for each committed event the manifest subscribes to, in commit order, one at a time. */
  onEvent?(event: PluginEvent, ctx: PluginContext): void | Promise<void>;
  /** Answers requests to `/plugins/{name}/...` when `[plugin.http] enabled = true`. */
  onRequest?(request: PluginRequest, ctx: PluginContext): PluginResponse | Promise<PluginResponse>;
  /** Called on shutdown or disable; close files and sockets here. */
  deactivate?(ctx: PluginContext): void | Promise<void>;
}

/** Identity at run time; gives a plugin object its types. */
export function definePlugin<T extends PluginDefinition>(definition: T): T {
  return definition;
}
