/**
 * One incarnation of a plugin, as the supervisor drives it: a process for a third-party plugin
 * (child-runtime.ts) or an activation inside the hub for a built-in (here). Every call is
 * bounded by the plugin's `timeout_ms`.
 */
import { buildContext, type LogFn, type QueryFn } from './context.js';
import {
  describeError,
  toWireResponse,
  type ActivateParams,
  type WireResponse,
} from './protocol.js';
import type { PluginContext, PluginDefinition, PluginEvent, PluginRequest } from './sdk.js';

export interface RuntimeOptions {
  params: ActivateParams;
  timeoutMs: number;
  memoryMb: number;
  query: QueryFn;
  log: LogFn;
}

/** The runtime is gone (crashed, timed out and killed, out of memory): restart it. */
export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
  /**
   * @param eventAtFault false when something other than the event in delivery ended the runtime
   *   (a request that timed out): that event is then delivered again after the restart.
   */
  constructor(
    message: string,
    readonly eventAtFault = true,
  ) {
    super(message);
  }
}

/** A request the plugin could not answer: the status the hub replies with, and why. */
export class RequestFailure extends Error {
  override readonly name = 'RequestFailure';
  constructor(
    readonly status: 500 | 502 | 503 | 504,
    message: string,
  ) {
    super(message);
  }
}

export interface PluginRuntime {
  /** Loads and activates; rejects with the reason (the runtime is then unusable). */
  activate(): Promise<void>;
  /**
   * Hands `events` to onEvent one at a time, in order; `onDone` after each (with what it threw,
   * if it did). Rejects with RuntimeFailure when the runtime died or a call timed out.
   */
  deliver(
    events: readonly PluginEvent[],
    onDone: (seq: number, error: string | null) => void,
  ): Promise<void>;
  /** Calls onRequest; rejects with RequestFailure. */
  request(request: PluginRequest): Promise<WireResponse>;
  /** Calls deactivate (bounded by the timeout) and ends the runtime; resolves with what it threw. */
  close(): Promise<string | null>;
  /** Ends the runtime at once, without deactivate (after a failure). */
  terminate(): void;
  /** Set by the supervisor: the runtime died on its own (not during close). */
  onDeath: (reason: string) => void;
  /** The plugin process's id, or null in the hub. */
  readonly pid: number | null;
}

const TIMED_OUT = Symbol('timed out');

/** `promise`, or TIMED_OUT once `ms` have passed. */
export async function withTimeout<T>(
  promise: Promise<T> | T,
  ms: number,
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(promise),
      new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A first-party plugin, run inside the hub with the same contract: calls bounded by the
 * timeout, throws contained. Built-ins are trusted code: a synchronous endless loop in one
 * would stall the hub (third-party plugins run in their own process for that reason).
 *
 * @example
 * const runtime = new BuiltinRuntime(definition, options);
 * await runtime.activate();
 */
export class BuiltinRuntime implements PluginRuntime {
  readonly pid = null;
  onDeath: (reason: string) => void = () => {};
  private readonly ctx: PluginContext;
  private dead = false;

  constructor(
    private readonly definition: PluginDefinition,
    private readonly options: RuntimeOptions,
  ) {
    this.ctx = buildContext(options.params, options.query, options.log);
  }

  private async call<T>(what: string, run: () => T | Promise<T>): Promise<T> {
    if (this.dead) throw new RuntimeFailure(`${what}: the plugin was stopped`);
    const result = await withTimeout((async () => run())(), this.options.timeoutMs);
    if (result === TIMED_OUT) {
      this.dead = true;
      throw new RuntimeFailure(`${what} timed out after ${this.options.timeoutMs} ms`);
    }
    return result;
  }

  async activate(): Promise<void> {
    try {
      await this.call('activate', () => this.definition.activate?.(this.ctx));
    } catch (error) {
      throw error instanceof RuntimeFailure ? error : new Error(describeError(error));
    }
  }

  async deliver(
    events: readonly PluginEvent[],
    onDone: (seq: number, error: string | null) => void,
  ): Promise<void> {
    for (const event of events) {
      let error: string | null = null;
      try {
        await this.call(`onEvent (seq ${event.seq})`, () =>
          this.definition.onEvent?.(event, this.ctx),
        );
      } catch (e) {
        if (e instanceof RuntimeFailure) throw e;
        error = describeError(e);
      }
      onDone(event.seq, error);
    }
  }

  async request(request: PluginRequest): Promise<WireResponse> {
    const onRequest = this.definition.onRequest;
    if (onRequest === undefined) throw new RequestFailure(500, 'this plugin has no onRequest');
    try {
      return toWireResponse(
        await this.call('onRequest', () => onRequest.call(this.definition, request, this.ctx)),
      );
    } catch (error) {
      if (error instanceof RuntimeFailure) throw new RequestFailure(504, error.message);
      throw new RequestFailure(500, describeError(error));
    }
  }

  terminate(): void {
    this.dead = true;
  }

  async close(): Promise<string | null> {
    if (this.dead) return null;
    try {
      await this.call('deactivate', () => this.definition.deactivate?.(this.ctx));
      return null;
    } catch (error) {
      return describeError(error);
    } finally {
      this.dead = true;
    }
  }
}
