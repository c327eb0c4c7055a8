/** End to end: the log-export plugin's syslog output received and parsed by a real rsyslogd. */
import { hostname } from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogExportPlugin } from '../../../src/plugins/builtin/log-export/index.js';
import type { PluginEvent } from '../../../src/plugins/sdk.js';
import { createTestContext, pluginEvent, waitUntil } from './context.js';
import { startRsyslog, type Rsyslog } from './rsyslog.js';
import { bypassEvents, reviewEvents } from './wfc-fixtures.js';

let rsyslog: Rsyslog;
beforeAll(async () => {
  rsyslog = await startRsyslog();
});
afterAll(async () => {
  await rsyslog?.stop();
});

/** Sends `events` through the plugin over `protocol` and returns rsyslog's lines for them. */
async function sendThrough(protocol: 'udp' | 'tcp', events: PluginEvent[]) {
  const t = createTestContext('log-export', {
    target: 'syslog',
    syslog_protocol: protocol,
    syslog_port: protocol === 'udp' ? rsyslog.udpPort : rsyslog.tcpPort,
  });
  try {
    const plugin = createLogExportPlugin();
    await plugin.activate?.(t.ctx);
    for (const e of events) await plugin.onEvent?.(e, t.ctx);
    await plugin.deactivate?.(t.ctx);
    const seqs = new Set(events.map((e) => String(e.seq)));
    const mine = () => rsyslog.lines().filter((l) => seqs.has(l.params['seq'] ?? ''));
    await waitUntil(
      () => mine().length >= events.length,
      () => `${events.length} lines from rsyslog, got ${mine().length}\n${t.logText()}`,
      20_000,
    );
    return mine();
  } finally {
    t.cleanup();
  }
}

describe.each(['udp', 'tcp'] as const)('rsyslogd receives the plugin over %s', (protocol) => {
  it('parses the RFC 5424 header, structured data and the JSON record', async () => {
    const [review] = reviewEvents('TASK-001');
    const [bypass] = bypassEvents();
    const error = pluginEvent({
      event_type: 'error',
      kind: 'log',
      status: 'failure',
      error_message: `Zürich "quoted" ] back\\slash over ${protocol}`,
    });
    const events = [review!, bypass!, error];
    const lines = await sendThrough(protocol, events);
    expect(lines.map((l) => l.params['seq'])).toEqual(events.map((e) => String(e.seq)));

    const [r, b, e] = lines;
    expect(r).toMatchObject({
      pri: 134,
      hostname: hostname(),
      appName: 'vigil',
      procId: String(process.pid),
      msgId: 'review_complete',
      sdId: 'vigil@32473',
      params: { event_id: review!.event_id, kind: 'review' },
    });
    expect(Date.parse(r!.timestamp)).toBe(Date.parse(review!.timestamp));
    expect(JSON.parse(r!.msg)).toMatchObject({
      level: 'INFO',
      source: 'vigil.review',
      event_type: 'review_complete',
      task_id: 'TASK-001',
      consensus_score: 5.42,
      tier: 'moderate',
      passed: true,
      mpr_applied: false,
    });
    expect(b).toMatchObject({ pri: 132, msgId: 'bypass_activated' });
    expect(JSON.parse(b!.msg)).toMatchObject({ level: 'WARN', bypass_id: 'BP-2026-0001' });
    expect(e).toMatchObject({ pri: 131, msgId: 'error' });
    expect(JSON.parse(e!.msg)).toMatchObject({
      message: `Zürich "quoted" ] back\\slash over ${protocol}`,
    });
  });
});

describe('rsyslogd and octet-counted TCP', () => {
  it('splits many messages sent in one stream exactly at the counted lengths', async () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      pluginEvent({
        event_type: 'task_end',
        task_id: `T-${i}`,
        error_message: 'ü'.repeat(i % 50) || null,
      }),
    );
    const lines = await sendThrough('tcp', events);
    expect(lines.map((l) => l.params['seq'])).toEqual(events.map((e) => String(e.seq)));
    for (const [i, l] of lines.entries()) {
      expect(l.msgId).toBe('task_end');
      expect(JSON.parse(l.msg)).toMatchObject({ task_id: `T-${i}` });
    }
  });
});
