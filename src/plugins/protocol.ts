/**
 * The messages between the hub and a plugin process (IPC over `child_process.fork`). The hub
 * drives; the plugin answers each call and asks the hub its context queries.
 */
import type { PluginEvent, PluginRequest, PluginResponse } from './sdk.js';

/** What the plugin process needs to load and activate the plugin. */
export interface ActivateParams {
  name: string;
  version: string;
  dir: string;
  /** The entry module's real path. */
  file: string;
  exportName: string;
  vigilVersion: string;
  config: Record<string, unknown>;
  dataDir: string;
  http: { mountPath: string | null; port: number | null };
}

/** Context methods the plugin process asks the hub for (PluginContext's queries). */
export const QUERY_METHODS = [
  'queryEvents',
  'queryTelemetry',
  'queryReviews',
  'queryDrift',
  'queryBypasses',
] as const;
export type QueryMethod = (typeof QUERY_METHODS)[number];

export type HostMessage =
  | { t: 'activate'; params: ActivateParams }
  | { t: 'events'; events: PluginEvent[] }
  | { t: 'request'; id: number; request: PluginRequest }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: string }
  | { t: 'deactivate' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type ChildMessage =
  /** The process is up and listening for messages. */
  | { t: 'hello' }
  | { t: 'activated' }
  | { t: 'activate-failed'; error: string }
  /** One event handled (error: what onEvent threw). */
  | { t: 'done'; seq: number; error: string | null }
  | { t: 'response'; id: number; ok: true; response: WireResponse }
  | { t: 'response'; id: number; ok: false; error: string }
  | { t: 'query'; id: number; method: QueryMethod; args: unknown[] }
  | { t: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | { t: 'deactivated'; error: string | null }
  /** An uncaught error outside any call: the process exits after sending it. */
  | { t: 'crash'; error: string };

/** Largest response body a plugin may send through the hub. */
export const MAX_RESPONSE_BYTES = 8 << 20;

/** A plugin's HTTP response as it crosses to the hub: the body already serialised. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when `body` is JSON the hub serialised from an object. */
  json: boolean;
}

/**
 * Checks and serialises what `onRequest` returned: a status from 100 to 599 (default 200),
 * string headers, a string body sent as is, anything else as JSON.
 */
export function toWireResponse(response: PluginResponse | undefined | null): WireResponse {
  const r = response ?? {};
  if (typeof r !== 'object') throw new Error('onRequest must return { status?, headers?, body? }');
  const status = r.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`onRequest returned status ${String(status)}; expected 100-599`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const raw = r.body;
  const json = typeof raw !== 'string';
  const body = typeof raw === 'string' ? raw : raw === undefined ? '' : (JSON.stringify(raw) ?? '');
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    throw new Error(`onRequest returned a body over ${MAX_RESPONSE_BYTES >> 20} MiB`);
  }
  return { status, headers, body, json: json && r.body !== undefined };
}

/** An error as one line for `last_error`: its message, or what was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  try {
    return `threw ${JSON.stringify(error)}`;
  } catch {
    return `threw ${String(error)}`;
  }
}
