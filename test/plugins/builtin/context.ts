/**
 * A PluginContext for driving a built-in plugin's definition directly, as the plugin host does:
 * a real temp data folder, a logger that records every line, and queries answered from an
 * in-memory list of events. Also an event factory in export form, with increasing `seq`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
  PluginContext,
  PluginEvent,
  PluginEventQuery,
  PluginQueriedEvent,
} from '../../../src/plugins/sdk.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export interface TestContext {
  ctx: PluginContext;
  logs: LogLine[];
  /** Every log line, one per line, for failure messages. */
  logText(): string;
  /** Events `ctx.queryEvents` answers from (filtered by `since`, oldest first). */
  stored: PluginQueriedEvent[];
  dir: string;
  cleanup(): void;
}

/** A context for plugin `name` with `config` (as the host merges it) and a fresh data folder. */
export function createTestContext(name: string, config: Record<string, unknown>): TestContext {
  const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  const logs: LogLine[] = [];
  const stored: PluginQueriedEvent[] = [];
  const log = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    logs.push(fields ? { level, message, fields } : { level, message });
  };
  const ctx: PluginContext = {
    plugin: { name, version: '0.1.0', dir },
    vigilVersion: '0.1.0',
    config: Object.freeze({ ...config }),
    dataDir: dir,
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    http: { mountPath: null, port: null },
    async queryEvents(query: PluginEventQuery = {}) {
      const since = query.since === undefined ? -Infinity : new Date(query.since).getTime();
      return stored.filter((e) => Date.parse(e.timestamp) >= since).slice(0, query.limit ?? 100);
    },
    queryTelemetry: async () => ({}),
    queryReviews: async () => [],
    queryDrift: async () => [],
    queryBypasses: async () => [],
  };
  return {
    ctx,
    logs,
    logText: () => logs.map((l) => `${l.level}: ${l.message}`).join('\n'),
    stored,
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let seq = 0;

/** The next commit sequence: strictly increasing across every event the tests make. */
export function nextSeq(): number {
  seq += 1;
  return seq;
}

/** An event in export form with a unique id and the next `seq`. */
export function pluginEvent(overrides: Partial<PluginEvent> = {}): PluginEvent {
  nextSeq();
  return {
    event_id: `evt-${seq}`,
    event_type: 'task_end',
    kind: 'task',
    timestamp: new Date().toISOString(),
    task_id: `task-${seq}`,
    session_id: null,
    phase: null,
    agent_role: null,
    model: null,
    status: 'success',
    duration_seconds: null,
    tokens_input: null,
    tokens_output: null,
    tokens_cache_read: null,
    tokens_cache_write: null,
    cost_usd: null,
    error_message: null,
    source_adapter: 'kpi',
    source_file: null,
    source_line: null,
    attrs: {},
    seq,
    ...overrides,
  };
}

/** Waits for `check` to hold, re-checking every few ms; fails naming `what` at the deadline. */
export async function waitUntil(
  check: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
