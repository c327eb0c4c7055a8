import type { ActivateParams, LogLevel, QueryMethod } from './protocol.js';
import type { PluginContext, PluginDefinition, PluginLogger } from './sdk.js';

/** Answers a context query: over IPC in a plugin process, directly for a built-in plugin. */
export type QueryFn = (method: QueryMethod, args: unknown[]) => Promise<unknown>;

export type LogFn = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/**
 * The PluginContext handed to `activate`, `onEvent`, `onRequest` and `deactivate`: read-only
 * (frozen), its queries answered by `query`, its log lines sent to `log`.
 *
 * @example
 * const ctx = buildContext(params, (method, args) => askHub(method, args), sendLog);
 * await definition.activate?.(ctx);
 */
export function buildContext(params: ActivateParams, query: QueryFn, log: LogFn): PluginContext {
  const logger: PluginLogger = Object.freeze({
    debug: (message: string, fields?: Record<string, unknown>) => log('debug', message, fields),
    info: (message: string, fields?: Record<string, unknown>) => log('info', message, fields),
    warn: (message: string, fields?: Record<string, unknown>) => log('warn', message, fields),
    error: (message: string, fields?: Record<string, unknown>) => log('error', message, fields),
  });
  const ask = <T>(method: QueryMethod, ...args: unknown[]) => query(method, args) as Promise<T>;
  return Object.freeze({
    plugin: Object.freeze({ name: params.name, version: params.version, dir: params.dir }),
    vigilVersion: params.vigilVersion,
    config: deepFreeze(structuredClone(params.config)),
    dataDir: params.dataDir,
    log: logger,
    http: Object.freeze({ ...params.http }),
    queryEvents: (q) => ask('queryEvents', q ?? {}),
    queryTelemetry: (o) => ask('queryTelemetry', o ?? {}),
    queryReviews: (o) => ask('queryReviews', o ?? {}),
    queryDrift: (reviewer) => ask('queryDrift', reviewer ?? null),
    queryBypasses: (o) => ask('queryBypasses', o ?? {}),
  } satisfies PluginContext);
}

const HOOKS = ['activate', 'onEvent', 'onRequest', 'deactivate'] as const;

/**
 * The PluginDefinition a module exported (`where` names it in errors): an object with hooks,
 * a class (instantiated: seed 000's `module:Class` form) or a function returning the object.
 */
export async function asDefinition(exported: unknown, where: string): Promise<PluginDefinition> {
  let value = exported;
  if (typeof value === 'function') {
    const source = Function.prototype.toString.call(value);
    value = source.startsWith('class ')
      ? new (value as new () => unknown)()
      : await (value as () => unknown)();
  }
  if (typeof value !== 'object' || value === null) {
    throw new Error(
      `${where} is not a plugin: export default definePlugin({ activate, onEvent, ... })`,
    );
  }
  const hooks = value as Record<string, unknown>;
  for (const hook of HOOKS) {
    if (hooks[hook] !== undefined && typeof hooks[hook] !== 'function') {
      throw new Error(`${where}: ${hook} is not a function`);
    }
  }
  if (!HOOKS.some((h) => typeof hooks[h] === 'function')) {
    throw new Error(`${where} has none of ${HOOKS.join(', ')}`);
  }
  return value as PluginDefinition;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
