/**
 * The log-export plugin's syslog output over TCP (RFC 6587 octet counting), received by a real
 * net server that is killed mid-stream and restarted.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createLogExportPlugin } from '../../../src/plugins/builtin/log-export/index.js';
import { createTestContext, pluginEvent, waitUntil } from './context.js';
import { createTcpReceiver, parseRfc5424 } from './receivers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(config: Record<string, unknown>) {
  const receiver = createTcpReceiver();
  await receiver.start();
  cleanups.push(() => receiver.kill());
  const t = createTestContext('log-export', {
    target: 'syslog',
    syslog_protocol: 'tcp',
    syslog_port: receiver.port,
    reconnect_max_ms: 400,
    ...config,
  });
  cleanups.push(t.cleanup);
  const plugin = createLogExportPlugin();
  await plugin.activate?.(t.ctx);
  let active = true;
  const stop = async () => {
    if (active) await plugin.deactivate?.(t.ctx);
    active = false;
  };
  cleanups.push(stop);
  return { t, receiver, plugin, stop };
}

/** The `seq` SD-PARAM of each received message. */
const seqs = (messages: readonly string[]) =>
  messages.map((m) => Number(parseRfc5424(m).params['seq']));

describe('log-export over syslog TCP', () => {
  it('frames each message with its byte length, in order, including multi-byte text', async () => {
    const { t, receiver, plugin, stop } = await start({});
    const events = Array.from({ length: 200 }, (_, i) =>
      pluginEvent({
        event_type: 'info',
        kind: 'log',
        status: null,
        error_message: `ünïcödé ${i} \n "quoted" ]`,
      }),
    );
    for (const e of events) await plugin.onEvent?.(e, t.ctx);
    await stop();
    await waitUntil(
      () => receiver.messages.length === 200,
      () => `200 messages, got ${receiver.messages.length}`,
    );
    expect(receiver.framingErrors).toEqual([]);
    expect(seqs(receiver.messages)).toEqual(events.map((e) => e.seq));
    const last = parseRfc5424(receiver.messages[199]!);
    expect(JSON.parse(last.msg)).toMatchObject({
      message: 'ünïcödé 199 \n "quoted" ]',
      level: 'INFO',
    });
  });

  it('survives the receiver being killed mid-stream: reconnects with backoff and loses nothing', async () => {
    const { t, receiver, plugin, stop } = await start({});
    const sent: number[] = [];
    const emit = async () => {
      const e = pluginEvent({ event_type: 'task_end' });
      sent.push(e.seq);
      await plugin.onEvent?.(e, t.ctx);
      // A steady stream, not a burst: let the event loop run between events.
      await new Promise((resolve) => setImmediate(resolve));
    };
    const lostWarnings = () => t.logs.filter((l) => /connection to .* lost/.test(l.message)).length;

    for (let i = 0; i < 100; i += 1) await emit();
    await waitUntil(() => receiver.messages.length === 100, 'the first 100 messages');

    // Kill the receiver while events keep coming.
    const killing = receiver.kill();
    const receivedAtKill = receiver.messages.length;
    let sentWhenNoticed = -1;
    while (sentWhenNoticed < 0 || sent.length < sentWhenNoticed + 100) {
      await emit();
      if (sentWhenNoticed < 0 && lostWarnings() > 0) sentWhenNoticed = sent.length;
      if (sent.length > 10_000) throw new Error(`the loss was never noticed:\n${t.logText()}`);
    }
    await killing;
    expect(t.logText()).toMatch(/sink down/);

    // Back up on the same port: the plugin reconnects on its own.
    await receiver.start();
    for (let i = 0; i < 100; i += 1) await emit();
    await waitUntil(
      () => receiver.connections >= 2,
      () => `a reconnection\n${t.logText()}`,
    );
    await stop();
    await waitUntil(
      () => seqs(receiver.messages).at(-1) === sent.at(-1),
      () => `the last message\n${t.logText()}`,
    );

    const got = seqs(receiver.messages);
    expect(receiver.framingErrors).toEqual([]);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    // Nothing is lost: the plugin notices the closed connection before writing to it, keeps
    // what comes meanwhile and sends it on the new connection. (A receiver dying with a batch
    // in the kernel's hands can still lose that batch: plain TCP syslog has no acknowledgements.)
    expect(sent.slice(0, receivedAtKill)).toEqual(got.slice(0, receivedAtKill));
    expect(got).toEqual(sent);
    expect(t.logs.filter((l) => /connected to/.test(l.message)).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the newest max_buffer records while the receiver is down and reports the drops', async () => {
    const { t, receiver, plugin, stop } = await start({ max_buffer: 20 });
    await plugin.onEvent?.(pluginEvent({ event_type: 'task_start', status: 'started' }), t.ctx);
    await waitUntil(() => receiver.messages.length === 1, 'the first message');
    await receiver.kill();
    await waitUntil(() => /connection to .* lost/.test(t.logText()), 'the loss to be noticed');

    const down = Array.from({ length: 100 }, () => pluginEvent({ event_type: 'task_end' }));
    for (const e of down) await plugin.onEvent?.(e, t.ctx);
    await waitUntil(() => /oldest records dropped/.test(t.logText()), 'a drop warning');
    // Once a send has failed, the batch that was in hand is back in the buffer (and dropped).
    await waitUntil(() => /sink down/.test(t.logText()), 'a failed send');

    await receiver.start();
    await stop();
    const got = seqs(receiver.messages.slice(1));
    expect(got).toEqual(down.slice(-20).map((e) => e.seq));
    const dropped = t.logs.filter((l) => /oldest records dropped/.test(l.message));
    const total = Number(/(\d+) dropped in all/.exec(dropped.at(-1)!.message)?.[1]);
    expect(total + got.length).toBe(100);
  });

  it('does not throw while nothing listens, and says where it could not connect', async () => {
    const receiver = createTcpReceiver();
    await receiver.start();
    const port = receiver.port;
    await receiver.kill();
    const t = createTestContext('log-export', {
      target: 'syslog',
      syslog_protocol: 'tcp',
      syslog_port: port,
      flush_timeout_ms: 300,
    });
    cleanups.push(t.cleanup);
    const plugin = createLogExportPlugin();
    await plugin.activate?.(t.ctx);
    await plugin.onEvent?.(pluginEvent(), t.ctx);
    await waitUntil(
      () => /sink down \(Error: connect ECONNREFUSED/.test(t.logText()),
      'the refusal',
    );
    await plugin.deactivate?.(t.ctx);
    expect(t.logText()).toMatch(/1 records not sent before shutdown/);
  });
});
