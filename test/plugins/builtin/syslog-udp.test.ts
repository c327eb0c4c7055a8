/** The log-export plugin's syslog output over UDP, received by a real dgram socket. */
import { hostname } from 'node:os';

import { afterEach, describe, expect, it } from 'vitest';

import { createLogExportPlugin } from '../../../src/plugins/builtin/log-export/index.js';
import { createTestContext, pluginEvent, waitUntil, type TestContext } from './context.js';
import { parseRfc5424, startUdpReceiver } from './receivers.js';
import { reviewEvents } from './wfc-fixtures.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(config: Record<string, unknown>): Promise<{
  t: TestContext;
  receiver: Awaited<ReturnType<typeof startUdpReceiver>>;
  plugin: ReturnType<typeof createLogExportPlugin>;
}> {
  const receiver = await startUdpReceiver();
  cleanups.push(receiver.close);
  const t = createTestContext('log-export', {
    target: 'syslog',
    syslog_port: receiver.port,
    ...config,
  });
  cleanups.push(t.cleanup);
  const plugin = createLogExportPlugin();
  await plugin.activate?.(t.ctx);
  cleanups.push(() => plugin.deactivate?.(t.ctx));
  return { t, receiver, plugin };
}

describe('log-export over syslog UDP', () => {
  it('sends one RFC 5424 datagram per event with the record as MSG', async () => {
    const { t, receiver, plugin } = await start({});
    const [review] = reviewEvents('TASK-003');
    const failed = pluginEvent({ event_type: 'task_end', status: 'failure', task_id: 'T-1' });
    const error = pluginEvent({
      event_type: 'error',
      kind: 'log',
      status: 'failure',
      error_message: 'boom "x" ]',
    });
    for (const e of [review!, failed, error]) await plugin.onEvent?.(e, t.ctx);
    await waitUntil(
      () => receiver.messages.length === 3,
      () => `3 datagrams, got ${receiver.messages.length}`,
    );

    const [m1, m2, m3] = receiver.messages.map(parseRfc5424);
    expect(m1).toMatchObject({
      pri: 16 * 8 + 4,
      version: 1,
      timestamp: review!.timestamp,
      hostname: hostname(),
      appName: 'vigil',
      procId: String(process.pid),
      msgId: 'review_complete',
      sdId: 'vigil@32473',
      params: { event_id: review!.event_id, seq: String(review!.seq), kind: 'review' },
    });
    expect(JSON.parse(m1!.msg)).toMatchObject({
      level: 'WARN',
      source: 'vigil.review',
      event_type: 'review_complete',
      task_id: 'TASK-003',
      consensus_score: 7.8,
      passed: false,
    });
    expect(m2).toMatchObject({ severity: 4, msgId: 'task_end' });
    expect(m3).toMatchObject({ severity: 3, facility: 16, msgId: 'error' });
    expect(JSON.parse(m3!.msg)).toMatchObject({ level: 'ERROR', message: 'boom "x" ]' });
  });

  it('uses the configured facility, app name, host name and SD-ID, and honours the filters', async () => {
    const { t, receiver, plugin } = await start({
      facility: 'user',
      app_name: 'vigil-ci',
      hostname: 'build-07',
      structured_data_id: 'vigilci@32473',
      include_kinds: ['review'],
      source_prefix: 'wfc',
    });
    await plugin.onEvent?.(pluginEvent({ event_type: 'task_end' }), t.ctx);
    const [review] = reviewEvents('TASK-001');
    await plugin.onEvent?.(review!, t.ctx);
    await waitUntil(() => receiver.messages.length >= 1, 'a datagram');
    await plugin.deactivate?.(t.ctx);
    expect(receiver.messages).toHaveLength(1);
    const m = parseRfc5424(receiver.messages[0]!);
    expect(m).toMatchObject({
      pri: 14,
      appName: 'vigil-ci',
      hostname: 'build-07',
      sdId: 'vigilci@32473',
    });
    expect(JSON.parse(m.msg)).toMatchObject({ source: 'wfc.review', consensus_score: 5.42 });
  });

  it('cuts a datagram to udp_max_bytes, marks it truncated and warns', async () => {
    const { t, receiver, plugin } = await start({ udp_max_bytes: 1024 });
    const long = pluginEvent({
      event_type: 'error',
      kind: 'log',
      status: 'failure',
      error_message: 'é'.repeat(3000),
    });
    await plugin.onEvent?.(long, t.ctx);
    await waitUntil(() => receiver.messages.length === 1, 'the datagram');
    const raw = receiver.messages[0]!;
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(1024);
    expect(raw).not.toContain('\ufffd');
    const m = parseRfc5424(raw);
    expect(Number(m.params['truncated'])).toBeGreaterThan(6000);
    expect(t.logs.some((l) => l.level === 'warn' && /udp_max_bytes = 1024/.test(l.message))).toBe(
      true,
    );
  });
});
