/**
 * In-process hub for server tests: a temp data dir, a real SQLite store, the hub and its
 * Fastify app listening on an ephemeral loopback port.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { expect } from 'vitest';

import { loadConfig, type Config } from '../../src/config/config.js';
import type { VigilEvent } from '../../src/core/event.js';
import { createConfiguredRegistry } from '../../src/ingest/configured-registry.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { Hub, HUB_BUSY_TIMEOUT_MS } from '../../src/live/hub.js';
import { buildApp } from '../../src/server/app.js';
import type { VigilApp } from '../../src/server/types.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export interface TestHub {
  dir: string;
  config: Config;
  hub: Hub;
  app: VigilApp;
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** GET/POST through the real socket with a loopback Host header (fetch adds it). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Writes a file under `dir` (folders created) and returns its absolute path. */
  write(rel: string, text: string | Buffer): string;
  /** Ingests files through the real pipeline, publishing on the hub's bus. */
  ingest(paths: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Extra `VIGIL_*` environment (e.g. VIGIL_API_TOKEN, VIGIL_CORS_ORIGIN). */
  env?: Record<string, string>;
  /** Events stored before the app starts. */
  events?: readonly VigilEvent[];
  /** Files (relative to the temp dir) written and ingested before the app starts. */
  files?: Record<string, string>;
  /** Do not listen (use app.inject only). */
  noListen?: boolean;
  /** How long a write waits for another process's lock (the hub's own default when absent). */
  busyTimeoutMs?: number;
}

/** GETs `path`, expects a 200 that is not to be cached, and returns its JSON body. */
export async function getJson<T>(h: TestHub, path: string): Promise<T> {
  const res = await h.fetch(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as T;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'vigil-hub-')));
  const config = await loadConfig({
    env: {
      HOME: dir,
      VIGIL_DATA_DIR: join(dir, 'data'),
      VIGIL_PORT: '0',
      ...options.env,
    },
    cwd: dir,
  });
  const store = createSqliteStore(config.dbPath, {
    busyTimeoutMs: options.busyTimeoutMs ?? HUB_BUSY_TIMEOUT_MS,
  });
  const registry = createConfiguredRegistry(config);
  if (options.events?.length) await store.ingest({ events: options.events, checkpoints: [] });
  const hub = await Hub.open(config, store, registry);
  const write = (rel: string, text: string | Buffer) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const ingest = async (paths: readonly string[]) => {
    await ingestFiles(store, paths, {
      registry,
      onCommit: hub.onCommit,
      onReject: (r) => hub.monitor.reject(r),
    });
  };
  if (options.files) {
    await ingest(Object.entries(options.files).map(([rel, text]) => write(rel, text)));
  }
  const app = await buildApp(hub);
  let port = 0;
  if (!options.noListen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  } else {
    await app.ready();
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    dir,
    config,
    hub,
    app,
    url,
    port,
    fetch: (path, init) => fetch(`${url}${path}`, init),
    write,
    ingest,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
