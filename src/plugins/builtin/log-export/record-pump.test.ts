import { describe, expect, it } from 'vitest';

import { waitUntil } from '../../../../test/plugins/builtin/context.js';
import { createRecordPump, PartialSendError, type RecordTransport } from './record-pump.js';

/** A transport that fails while `down` is set, and records what it was sent. */
function fakeTransport() {
  const got: string[] = [];
  const state = { down: false, failPartialOnce: 0, closed: false, attempts: 0 };
  const transport: RecordTransport = {
    description: 'fake sink',
    async send(batch) {
      state.attempts += 1;
      if (state.down) throw new Error('connection refused');
      if (state.failPartialOnce > 0) {
        const n = Math.min(state.failPartialOnce, batch.length);
        state.failPartialOnce = 0;
        for (const b of batch.slice(0, n)) got.push(b.toString());
        throw new PartialSendError(n, new Error('disk full'));
      }
      for (const b of batch) got.push(b.toString());
    },
    async close() {
      state.closed = true;
    },
  };
  return { transport, got, state };
}

function logger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  return {
    lines,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('createRecordPump', () => {
  it('sends in order and retries a down sink with backoff until it is back', async () => {
    const { transport, got, state } = fakeTransport();
    const { lines, log } = logger();
    state.down = true;
    const pump = createRecordPump(transport, { maxBuffer: 100, reconnectMaxMs: 200, log });
    for (let i = 0; i < 10; i += 1) pump.push(Buffer.from(String(i)));
    await waitUntil(() => state.attempts >= 3, 'three attempts');
    expect(pump.stats()).toMatchObject({ down: true, queued: 10, sent: 0 });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'fake sink: sink down (Error: connection refused); retrying with backoff',
    ]);
    state.down = false;
    await waitUntil(() => got.length === 10, 'all records');
    expect(got).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(lines.at(-1)?.message).toMatch(/reachable again/);
    await pump.close(1_000);
    expect(state.closed).toBe(true);
  });

  it('drops the oldest beyond max_buffer while down, counts them and says so', async () => {
    const { transport, got, state } = fakeTransport();
    const { lines, log } = logger();
    state.down = true;
    const pump = createRecordPump(transport, {
      maxBuffer: 5,
      reconnectMaxMs: 100,
      log,
      maxBatch: 2,
    });
    for (let i = 0; i < 12; i += 1) pump.push(Buffer.from(String(i)));
    expect(pump.stats().dropped).toBeGreaterThanOrEqual(6);
    const drops = lines.filter((l) => /oldest records dropped/.test(l.message));
    expect(drops.length).toBe(1);
    expect(drops[0]?.message).toMatch(/buffer of 5 full/);
    state.down = false;
    expect(await pump.flush(5_000)).toBe(true);
    // The newest records are kept; at most one batch in flight (2) rides on top of the buffer.
    expect(got.slice(-5)).toEqual(['7', '8', '9', '10', '11']);
    expect(got.length + pump.stats().dropped).toBe(12);
    await pump.close(1_000);
    const last = lines.filter((l) => /dropped in all/.test(l.message)).at(-1);
    expect(last?.message).toContain(`${pump.stats().dropped} dropped in all`);
  });

  it('retries only the part of a batch that was not written', async () => {
    const { transport, got, state } = fakeTransport();
    const { log } = logger();
    state.failPartialOnce = 2;
    const pump = createRecordPump(transport, { maxBuffer: 100, reconnectMaxMs: 100, log });
    for (let i = 0; i < 5; i += 1) pump.push(Buffer.from(String(i)));
    expect(await pump.flush(5_000)).toBe(true);
    expect(got).toEqual(['0', '1', '2', '3', '4']);
    expect(pump.stats().sent).toBe(5);
    await pump.close(0);
  });

  it('gives up at close after the flush timeout and reports what was left', async () => {
    const { transport, state } = fakeTransport();
    const { lines, log } = logger();
    state.down = true;
    const pump = createRecordPump(transport, { maxBuffer: 100, reconnectMaxMs: 100, log });
    pump.push(Buffer.from('x'));
    pump.push(Buffer.from('y'));
    await pump.close(200);
    expect(lines.map((l) => l.message)).toContain('fake sink: 2 records not sent before shutdown');
    pump.push(Buffer.from('z'));
    expect(pump.stats().queued).toBe(2);
  });
});
