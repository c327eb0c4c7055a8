/**
 * A third-party plugin in its own process: forked from dist/plugins/runner.js with a heap
 * limit, driven over IPC. A call that outlives the timeout, a heap or resident-memory limit
 * reached, or an exit ends the process; the supervisor restarts it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { QueryMethod } from './protocol.js';
import {
  describeError,
  MAX_RESPONSE_BYTES,
  type ChildMessage,
  type HostMessage,
  type WireResponse,
} from './protocol.js';
import {
  RequestFailure,
  RuntimeFailure,
  type PluginRuntime,
  type RuntimeOptions,
} from './runtime.js';
import type { PluginEvent, PluginRequest } from './sdk.js';

/**
 * The compiled runner. The same relative path works from src/plugins (tests run the sources)
 * and from dist/plugins: both are two levels below the package root.
 */
export const RUNNER_PATH = fileURLToPath(new URL('../../dist/plugins/runner.js', import.meta.url));

/** How long the process may take to start before activate is even sent. */
const START_TIMEOUT_MS = 30_000;
/** How often resident memory is checked. */
const RSS_CHECK_MS = 1_000;
/** The most requests one plugin answers at a time; more get 503. */
export const MAX_CONCURRENT_REQUESTS = 32;
/** The most context queries one plugin has the hub work on at a time; more are refused. */
export const MAX_CONCURRENT_QUERIES = 8;

/** Resident memory allowed besides the heap: Buffers, code, Node itself. */
export function rssLimitBytes(memoryMb: number): number {
  return (2 * memoryMb + 64) * (1 << 20);
}

function rssBytes(pid: number): number | null {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * 4096 : null;
  } catch {
    return null;
  }
}

/** The environment a plugin runs with: the hub's, without its API token or Node options. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['VIGIL_API_TOKEN'];
  delete env['NODE_OPTIONS'];
  return env;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A third-party plugin's process for one run: it is never restarted; the supervisor makes a
 * new one.
 *
 * @example
 * const runtime = new ChildRuntime({ params, timeoutMs: 5000, memoryMb: 128, query, log });
 * await runtime.activate();
 * await runtime.deliver(events, (seq, error) => {});
 * await runtime.close();
 */
export class ChildRuntime implements PluginRuntime {
  onDeath: (reason: string) => void = () => {};
  private readonly child: ChildProcess;
  private readonly started: Promise<void>;
  private readonly exited: Promise<void>;
  private deathReason: string | null = null;
  private crashMessage: string | null = null;
  private closing = false;
  private stderrTail = '';
  private waiter: Waiter | null = null;
  private onDone: ((seq: number, error: string | null) => void) | null = null;
  private deactivateError: string | null = null;
  private readonly requests = new Map<
    number,
    { resolve: (r: WireResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private nextRequest = 1;
  private queries = 0;
  private readonly rssTimer: NodeJS.Timeout;

  constructor(private readonly options: RuntimeOptions) {
    if (!existsSync(RUNNER_PATH)) {
      throw new RuntimeFailure(`${RUNNER_PATH} is missing: build Vigil first (npm run build)`);
    }
    this.child = fork(RUNNER_PATH, [], {
      cwd: options.params.dir,
      execArgv: [`--max-old-space-size=${options.memoryMb}`],
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.started = new Promise<void>((resolve, reject) => {
      this.waiter = {
        resolve,
        reject,
        timer: setTimeout(
          () => this.kill(`did not start within ${START_TIMEOUT_MS / 1000} s`),
          START_TIMEOUT_MS,
        ),
      };
    });
    this.started.catch(() => {});
    this.child.on('message', (m: ChildMessage) => this.onMessage(m));
    this.child.once('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('error', (error) => this.kill(`could not run: ${error.message}`));
    this.pipeLines(this.child.stdout, 'info');
    this.pipeLines(this.child.stderr, 'warn');
    const limit = rssLimitBytes(options.memoryMb);
    this.rssTimer = setInterval(() => {
      const rss = this.child.pid === undefined ? null : rssBytes(this.child.pid);
      if (rss !== null && rss > limit) {
        this.kill(
          `used ${Math.round(rss / (1 << 20))} MiB of resident memory, over its limit of ${limit >> 20} MiB (2 × memory_mb + 64); killed`,
        );
      }
    }, RSS_CHECK_MS);
    this.rssTimer.unref();
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, level: 'info' | 'warn'): void {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      if (level === 'warn') this.stderrTail = (this.stderrTail + chunk).slice(-4096);
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.options.log(level, line);
    });
  }

  private send(message: HostMessage): void {
    if (this.deathReason === null && this.child.connected) this.child.send(message);
  }

  /** Waits for one reply of the sequential channel (start, activate, events, deactivate). */
  private expect(what: string, send: HostMessage | null): Promise<void> {
    if (this.deathReason !== null) return Promise.reject(new RuntimeFailure(this.deathReason));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.kill(`${what} timed out after ${this.options.timeoutMs} ms; killed`),
        this.options.timeoutMs,
      );
      this.waiter = { resolve, reject, timer };
      if (send !== null) this.send(send);
    });
  }

  private settle(error: Error | null): void {
    const w = this.waiter;
    this.waiter = null;
    if (w === null) return;
    clearTimeout(w.timer);
    if (error === null) w.resolve();
    else w.reject(error);
  }

  private onMessage(m: ChildMessage): void {
    switch (m.t) {
      case 'hello':
      case 'activated':
        return this.settle(null);
      case 'activate-failed':
        return this.settle(new Error(m.error));
      case 'done': {
        this.onDone?.(m.seq, m.error);
        // Each event gets the whole timeout.
        if (this.waiter !== null) this.waiter.timer.refresh();
        return;
      }
      case 'deactivated':
        this.deactivateError = m.error;
        return this.settle(null);
      case 'response': {
        const r = this.requests.get(m.id);
        if (r === undefined) return;
        this.requests.delete(m.id);
        clearTimeout(r.timer);
        if (!m.ok) return r.reject(new RequestFailure(500, m.error));
        if (Buffer.byteLength(m.response.body) > MAX_RESPONSE_BYTES) {
          return r.reject(new RequestFailure(502, 'the plugin sent a response body over 8 MiB'));
        }
        return r.resolve(m.response);
      }
      case 'query':
        return void this.answerQuery(m.id, m.method, m.args);
      case 'log':
        return this.options.log(m.level, m.message, m.fields);
      case 'crash':
        this.crashMessage = m.error;
        return;
      default:
        return m satisfies never;
    }
  }

  private async answerQuery(id: number, method: QueryMethod, args: unknown[]): Promise<void> {
    if (this.queries >= MAX_CONCURRENT_QUERIES) {
      const error = `${method}: ${MAX_CONCURRENT_QUERIES} queries are running already; await them first`;
      return this.send({ t: 'reply', id, ok: false, error });
    }
    this.queries += 1;
    try {
      const value = await this.options.query(method, Array.isArray(args) ? args : []);
      this.send({ t: 'reply', id, ok: true, value });
    } catch (error) {
      this.send({ t: 'reply', id, ok: false, error: describeError(error) });
    } finally {
      this.queries -= 1;
    }
  }

  /** Ends the process for `reason` (the first reason given is the one reported). */
  private kill(reason: string, eventAtFault = true): void {
    if (this.deathReason === null) this.deathReason = reason;
    this.child.kill('SIGKILL');
    this.fail(this.deathReason, eventAtFault);
  }

  private fail(reason: string, eventAtFault = true): void {
    clearInterval(this.rssTimer);
    this.settle(new RuntimeFailure(reason, eventAtFault));
    for (const [id, r] of this.requests) {
      clearTimeout(r.timer);
      r.reject(new RequestFailure(/timed out/.test(reason) ? 504 : 502, reason));
      this.requests.delete(id);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.deathReason === null) {
      const oom = /heap out of memory|Reached heap limit/i.test(this.stderrTail);
      this.deathReason = oom
        ? `ran out of memory: its JavaScript heap reached memory_mb = ${this.options.memoryMb} MiB`
        : this.crashMessage !== null
          ? `crashed: ${this.crashMessage}`
          : signal !== null
            ? `was killed by ${signal}`
            : `exited with code ${code}${this.closing ? '' : ' outside any call'}`;
    }
    const reason = this.deathReason;
    this.fail(reason);
    // After the call that was waiting has seen the failure (it names the event in hand).
    if (!this.closing) setImmediate(() => this.onDeath(reason));
  }

  async activate(): Promise<void> {
    await this.started;
    this.waiter = null;
    await this.expect('activate', { t: 'activate', params: this.options.params });
  }

  async deliver(
    events: readonly PluginEvent[],
    onDone: (seq: number, error: string | null) => void,
  ): Promise<void> {
    const last = events[events.length - 1];
    if (last === undefined) return;
    let remaining = events.length;
    this.onDone = (seq, error) => {
      onDone(seq, error);
      if (--remaining === 0) this.settle(null);
    };
    try {
      await this.expect(`onEvent (seq ${events[0]?.seq})`, { t: 'events', events: [...events] });
    } finally {
      this.onDone = null;
    }
  }

  request(request: PluginRequest): Promise<WireResponse> {
    if (this.deathReason !== null) {
      return Promise.reject(
        new RequestFailure(503, `the plugin is not running: ${this.deathReason}`),
      );
    }
    if (this.requests.size >= MAX_CONCURRENT_REQUESTS) {
      return Promise.reject(
        new RequestFailure(
          503,
          `the plugin is answering ${MAX_CONCURRENT_REQUESTS} requests already`,
        ),
      );
    }
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.kill(
            `onRequest ${request.method} ${request.path} timed out after ${this.options.timeoutMs} ms; killed`,
            false,
          ),
        this.options.timeoutMs,
      );
      this.requests.set(id, { resolve, reject, timer });
      this.send({ t: 'request', id, request });
    });
  }

  terminate(): void {
    this.closing = true;
    this.kill(this.deathReason ?? 'terminated by the hub');
  }

  async close(): Promise<string | null> {
    this.closing = true;
    // A call still waiting (a stop while activate runs) ends now; its late reply must not be
    // taken for the deactivate reply.
    this.settle(new RuntimeFailure('the plugin was stopped'));
    if (this.deathReason === null && this.child.exitCode === null) {
      try {
        await this.expect('deactivate', { t: 'deactivate' });
      } catch {
        // Timed out (killed) or already gone: nothing more to wait for.
      }
      if (this.child.connected) this.child.disconnect();
      const forced = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
      await this.exited;
      clearTimeout(forced);
    } else {
      this.child.kill('SIGKILL');
      if (this.child.exitCode === null && this.child.signalCode === null) await this.exited;
    }
    clearInterval(this.rssTimer);
    return this.deactivateError;
  }
}
