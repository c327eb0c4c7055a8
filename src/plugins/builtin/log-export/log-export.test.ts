import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import {
  createTestContext,
  pluginEvent,
  type TestContext,
} from '../../../../test/plugins/builtin/context.js';
import { LOG_EXPORT_MANIFEST, createLogExportPlugin } from './index.js';
import { createStdoutSink } from './stdout-sink.js';

const contexts: TestContext[] = [];
afterEach(() => {
  for (const t of contexts.splice(0)) t.cleanup();
});
const context = (config: Record<string, unknown>) => {
  const t = createTestContext('log-export', config);
  contexts.push(t);
  return t;
};

describe('log-export plugin', () => {
  it('writes JSON lines to <dataDir>/vigil-structured.jsonl by default and flushes on deactivate', async () => {
    const t = context({ ...LOG_EXPORT_MANIFEST.plugin.config });
    const plugin = createLogExportPlugin();
    await plugin.activate?.(t.ctx);
    const events = [
      pluginEvent({ task_id: 'A' }),
      pluginEvent({ task_id: 'B', status: 'failure' }),
    ];
    for (const e of events) await plugin.onEvent?.(e, t.ctx);
    await plugin.deactivate?.(t.ctx);
    const lines = readFileSync(join(t.dir, 'vigil-structured.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { task_id: 'A', level: 'INFO', seq: events[0]!.seq },
      { task_id: 'B', level: 'WARN', seq: events[1]!.seq },
    ]);
    expect(t.logText()).toContain('stopped after 2 records');
  });

  it.each([
    [{ syslog_port: 70_000 }, 'plugins.log-export.syslog_port: expected a port 1-65535'],
    [{ target: 'kafka' }, 'plugins.log-export.target: expected one of file, syslog, stdout'],
    [{ syslog_protocol: 'tls' }, 'plugins.log-export.syslog_protocol: expected one of udp, tcp'],
    [
      { facility: 'local9' },
      'plugins.log-export.facility: expected a facility name such as local0 or user',
    ],
    [{ max_bytes: '10MB' }, 'plugins.log-export.max_bytes: expected a size in bytes, at least 256'],
    [
      { app_name: 'my app' },
      'plugins.log-export.app_name: expected an APP-NAME: 1-48 printable ASCII characters, no spaces',
    ],
    [
      { structured_data_id: 'vigil@acme' },
      'plugins.log-export.structured_data_id: expected NAME@ENTERPRISE-NUMBER, e.g. vigil@32473',
    ],
    [
      { include_kinds: ['reviews'] },
      'plugins.log-export.include_kinds[0]: expected one of task, llm_call',
    ],
  ])('refuses %o naming the key', async (config, message) => {
    const t = context(config);
    await expect(createLogExportPlugin().activate?.(t.ctx)).rejects.toThrow(message);
  });

  it('warns about unknown keys (typos) but not about the keys the host reads', async () => {
    const t = context({ enabled: true, timeout_ms: 1000, target: 'stdout', syslog_prot: 'tcp' });
    const plugin = createLogExportPlugin();
    await plugin.activate?.(t.ctx);
    await plugin.deactivate?.(t.ctx);
    const warnings = t.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^plugins\.log-export\.syslog_prot: unknown key, ignored \(known keys: target, /,
    );
  });

  it('lists every default in its manifest', () => {
    expect(LOG_EXPORT_MANIFEST.plugin).toMatchObject({
      name: 'log-export',
      entry_point: 'builtin',
      requires: ['vigil>=0.1'],
      events: { subscribes: ['*'] },
      config: {
        target: 'file',
        max_bytes: 10 * 1024 * 1024,
        max_files: 5,
        syslog_port: 514,
        facility: 'local0',
      },
    });
    expect(LOG_EXPORT_MANIFEST.plugin.config).not.toHaveProperty('path');
  });
});

describe('createStdoutSink', () => {
  it('writes each batch to the stream in one write and resolves once the stream took it', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const sink = createStdoutSink(stream);
    let done = false;
    const sending = sink
      .send([Buffer.from('{"a":1}\n'), Buffer.from('{"b":2}\n')])
      .then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.read()?.toString()).toBe('{"a":1}\n{"b":2}\n');
    await sending;
    expect(done).toBe(true);
  });
});
