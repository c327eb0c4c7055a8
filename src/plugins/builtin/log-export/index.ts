import { hostname } from 'node:os';

import type { PluginContext, PluginDefinition, PluginEvent } from '../../sdk.js';
import { parsePluginConfig } from '../shared/plugin-config.js';
import { FACILITIES, LOG_EXPORT_DEFAULTS, LogExportConfig, resolveExportPath } from './config.js';
import { createFileSink } from './file-sink.js';
import { createRecordPump, type RecordPump, type RecordTransport } from './record-pump.js';
import { createStdoutSink } from './stdout-sink.js';
import { matchesFilters, recordLevel, toStructuredRecord } from './structured.js';
import { formatSyslogMessage, LEVEL_SEVERITY, type SyslogSender } from './syslog.js';
import { createSyslogTcpSink, createSyslogUdpSink } from './syslog-sink.js';

export const LOG_EXPORT_NAME = 'log-export';

/** The built-in manifest: what a `plugin.toml` would say. */
export const LOG_EXPORT_MANIFEST = {
  plugin: {
    name: LOG_EXPORT_NAME,
    version: '0.1.0',
    description:
      "Structured log export: every event as a JSON record in seed 000's shape, to a rotating file, RFC 5424 syslog (UDP or TCP) or stdout",
    entry_point: 'builtin',
    requires: ['vigil>=0.1'],
    events: { subscribes: ['*'] },
    config: { ...LOG_EXPORT_DEFAULTS },
  },
} as const;

interface ActiveExport {
  config: LogExportConfig;
  pump: RecordPump;
  encode(event: PluginEvent): Buffer;
  truncated: number;
}

function createTransport(config: LogExportConfig, ctx: PluginContext): RecordTransport {
  switch (config.target) {
    case 'file':
      return createFileSink({
        path: resolveExportPath(config.path, ctx.dataDir),
        maxBytes: config.max_bytes,
        maxFiles: config.max_files,
      });
    case 'stdout':
      return createStdoutSink();
    case 'syslog': {
      const options = { host: config.syslog_host, port: config.syslog_port, log: ctx.log };
      return config.syslog_protocol === 'tcp'
        ? createSyslogTcpSink(options)
        : createSyslogUdpSink(options);
    }
    default:
      return config.target satisfies never;
  }
}

function createEncoder(config: LogExportConfig, ctx: PluginContext, state: { truncated: number }) {
  const recordOptions = { sourcePrefix: config.source_prefix, includeAttrs: config.include_attrs };
  if (config.target !== 'syslog') {
    return (event: PluginEvent) =>
      Buffer.from(`${JSON.stringify(toStructuredRecord(event, recordOptions))}\n`, 'utf8');
  }
  const sender: SyslogSender = {
    facility: FACILITIES[config.facility],
    hostname: config.hostname ?? hostname(),
    appName: config.app_name,
    procId: String(process.pid),
    sdId: config.structured_data_id,
  };
  const maxBytes = config.syslog_protocol === 'udp' ? config.udp_max_bytes : undefined;
  return (event: PluginEvent) => {
    const record = toStructuredRecord(event, recordOptions);
    const { message, truncatedFrom } = formatSyslogMessage(
      {
        severity: LEVEL_SEVERITY[recordLevel(event)],
        timestamp: event.timestamp,
        msgId: event.event_type,
        params: [
          ['event_id', event.event_id],
          ['seq', String(event.seq)],
          ['kind', event.kind],
        ],
        msg: JSON.stringify(record),
      },
      sender,
      maxBytes,
    );
    if (truncatedFrom !== null) {
      state.truncated += 1;
      if (state.truncated === 1 || state.truncated % 1000 === 0) {
        ctx.log.warn(
          `syslog udp: a ${truncatedFrom}-byte record was cut to fit udp_max_bytes = ` +
            `${maxBytes} (marked truncated="${truncatedFrom}"; ${state.truncated} so far); ` +
            'use syslog_protocol = "tcp" for long records',
        );
      }
    }
    return message;
  };
}

/**
 * The log-export plugin: re-emits every committed event as a structured JSON record to a
 * size-rotated file (default), RFC 5424 syslog over UDP or TCP (octet counting), or stdout.
 * State lives per data folder, so one definition serves any number of hosts.
 *
 * @example
 * const plugin = createLogExportPlugin();
 * await plugin.activate?.(ctx); // ctx.config: { target: 'syslog', syslog_protocol: 'tcp', ... }
 * await plugin.onEvent?.(event, ctx);
 * await plugin.deactivate?.(ctx);
 */
export function createLogExportPlugin(): PluginDefinition {
  const active = new Map<string, ActiveExport>();

  return {
    async activate(ctx) {
      const config = parsePluginConfig(LOG_EXPORT_NAME, LogExportConfig, ctx.config, ctx.log);
      const previous = active.get(ctx.dataDir);
      if (previous) await previous.pump.close(0);
      const transport = createTransport(config, ctx);
      const pump = createRecordPump(transport, {
        maxBuffer: config.max_buffer,
        reconnectMaxMs: config.reconnect_max_ms,
        log: ctx.log,
      });
      const state: ActiveExport = { config, pump, encode: () => Buffer.alloc(0), truncated: 0 };
      state.encode = createEncoder(config, ctx, state);
      active.set(ctx.dataDir, state);
      ctx.log.info(`${transport.description}: exporting records`);
    },
    onEvent(event, ctx) {
      const state = active.get(ctx.dataDir);
      if (!state || !matchesFilters(event, state.config)) return;
      state.pump.push(state.encode(event));
    },
    async deactivate(ctx) {
      const state = active.get(ctx.dataDir);
      if (!state) return;
      active.delete(ctx.dataDir);
      await state.pump.close(state.config.flush_timeout_ms);
      const { sent, dropped } = state.pump.stats();
      ctx.log.info(`stopped after ${sent} records`, { sent, dropped });
    },
  };
}
