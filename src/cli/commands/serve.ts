import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { VigilError } from '../../core/errors.js';
import { VERSION } from '../../version.js';
import type { CliContext } from '../context.js';

interface ServeFlags {
  host?: string;
  port?: string;
  watch?: string[];
  watchOnly?: boolean;
  format?: string;
  workspaceRoot?: string;
  corsOrigin?: string[];
  allowedHost?: string[];
  apiTokenFile?: string;
  metricsNamespace?: string;
  streamIntervalMs?: string;
  cacheTtlMs?: string;
  rescanIntervalMs?: string;
  logRequests?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function intFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new VigilError(
      'VIGIL_ERR_USAGE',
      `${flag} ${value}: expected a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'Run the live hub: tail every source, serve the HTTP API, SSE and WebSocket streams, /metrics and the dashboard',
    )
    .option('--host <host>', 'address to bind (env VIGIL_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free one (env VIGIL_PORT; default 3030)')
    .option(
      '-w, --watch <path>',
      'also tail this file, folder or quoted glob (repeatable)',
      collect,
    )
    .option('--watch-only', 'tail only the --watch paths, not the configured sources')
    .option('--format <name>', 'force an adapter for the --watch paths (see `vigil formats`)')
    .option(
      '--workspace-root <dir>',
      'folder the default sources resolve against (env VIGIL_WORKSPACE_ROOT; default the current folder)',
    )
    .option(
      '--cors-origin <origin>',
      'allow this browser origin (repeatable; env VIGIL_CORS_ORIGIN)',
      collect,
    )
    .option(
      '--allowed-host <name>',
      'accept this Host header besides loopback names (repeatable)',
      collect,
    )
    .option(
      '--api-token-file <file>',
      'read the API token from this file (env VIGIL_API_TOKEN); required to bind beyond loopback',
    )
    .option(
      '--metrics-namespace <name>',
      'prefix of /metrics names (default vigil; wfc for the WFC names)',
    )
    .option(
      '--stream-interval-ms <ms>',
      'cadence of /api/metrics/stream (env VIGIL_STREAM_INTERVAL_MS; default 1000)',
    )
    .option(
      '--cache-ttl-ms <ms>',
      'how long computed metrics are reused (env VIGIL_CACHE_TTL_MS; default 5000)',
    )
    .option(
      '--rescan-interval-ms <ms>',
      'how often sources are rescanned for missed changes (default 10000)',
    )
    .option('--log-requests', 'log every request to stderr')
    .addHelpText(
      'after',
      `
The hub ingests every configured source (or the supported frameworks' default paths) and every
--watch path, then tails them: appended lines are stored within milliseconds, exactly once,
through rotation and truncation, and published on the streams after they are committed.

It listens on 127.0.0.1:3030 and accepts only loopback Host headers. To listen beyond loopback
set an API token (VIGIL_API_TOKEN or --api-token-file); every request must then send
Authorization: Bearer <token>. Stop it with Ctrl-C: ingest is flushed and checkpointed.

Examples:
  vigil serve                                   the configured sources, on http://127.0.0.1:3030
  vigil serve --watch .droid/kpis.jsonl --port 4000
  vigil serve --watch-only --watch "logs/*.jsonl" --format generic
  VIGIL_API_TOKEN=$(cat token) vigil serve --host 0.0.0.0`,
    )
    .action(async (flags: ServeFlags) => {
      if (flags.workspaceRoot !== undefined) await ctx.init({ workspaceRoot: flags.workspaceRoot });
      const config = ctx.config;
      const server = config.server;
      if (flags.host !== undefined) server.host = flags.host;
      server.port = intFlag(flags.port, '--port', 0, 65535) ?? server.port;
      server.streamIntervalMs =
        intFlag(flags.streamIntervalMs, '--stream-interval-ms', 50, 3_600_000) ??
        server.streamIntervalMs;
      server.cacheTtlMs =
        intFlag(flags.cacheTtlMs, '--cache-ttl-ms', 0, 3_600_000) ?? server.cacheTtlMs;
      server.rescanIntervalMs =
        intFlag(flags.rescanIntervalMs, '--rescan-interval-ms', 100, 3_600_000) ??
        server.rescanIntervalMs;
      if (flags.corsOrigin) server.corsOrigins = flags.corsOrigin;
      if (flags.allowedHost) server.allowedHosts = [...server.allowedHosts, ...flags.allowedHost];
      if (flags.metricsNamespace !== undefined) {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(flags.metricsNamespace)) {
          throw new VigilError(
            'VIGIL_ERR_USAGE',
            `--metrics-namespace ${flags.metricsNamespace}: expected a Prometheus name such as vigil or wfc`,
          );
        }
        server.metricsNamespace = flags.metricsNamespace;
      }
      if (flags.apiTokenFile !== undefined) {
        const path = resolve(ctx.io.cwd, flags.apiTokenFile);
        let token: string;
        try {
          token = readFileSync(path, 'utf8').trim();
        } catch (error) {
          throw new VigilError(
            'VIGIL_ERR_FILE_NOT_FOUND',
            `cannot read the API token file ${path}`,
            {
              cause: error,
            },
          );
        }
        if (token.length < 16) {
          throw new VigilError(
            'VIGIL_ERR_USAGE',
            `${path}: the API token must be 16 characters or more`,
          );
        }
        server.apiToken = token;
      }
      const { startServer } = await import('../../server/serve.js');
      const running = await startServer(config, {
        watch: flags.watch ?? [],
        ...(flags.format === undefined ? {} : { format: flags.format }),
        watchOnly: flags.watchOnly ?? false,
        cwd: ctx.io.cwd,
        logRequests: flags.logRequests ?? false,
      });
      const lastSeq = running.hub.bus.lastSeq;
      const lines = [
        `vigil ${VERSION} listening on ${running.url}`,
        `  dashboard  ${running.url}/`,
        `  api        ${running.url}/api/openapi.json`,
        `  streams    ${running.url}/api/events/stream (SSE), ${running.url.replace(/^http/, 'ws')}/ws (WebSocket)`,
        `  metrics    ${running.url}/metrics (namespace ${server.metricsNamespace})`,
        `  store      ${config.dbPath} (${lastSeq} events committed so far)`,
        `  watching   ${running.sources.length} source${running.sources.length === 1 ? '' : 's'}:`,
        ...running.sources.map((s) => `    ${s.path}${s.format ? ` (${s.format})` : ''}`),
        server.apiToken === null
          ? '  auth       none (loopback only)'
          : '  auth       bearer token required',
        `  plugins    ${
          running.plugins
            .statuses()
            .filter((p) => p.enabled)
            .map((p) => p.name)
            .join(', ') || 'none enabled (vigil plugin list)'
        }`,
      ];
      ctx.out(`${lines.join('\n')}\n`);
      running.caughtUp.then(
        () => ctx.note(`vigil: caught up: ${running.tailer.fileCount} files tailed`),
        () => {},
      );
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            ctx.io.stderr.write(`vigil: ${signal} again: exiting without waiting\n`);
            process.exit(130);
          }
          stopping = true;
          ctx.note(`vigil: ${signal}: stopping (flushing ingest and checkpoints)`);
          running.close().then(done, (error: unknown) => {
            ctx.io.stderr.write(`vigil: error while stopping: ${(error as Error).message}\n`);
            ctx.exitCode = 3;
            done();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
