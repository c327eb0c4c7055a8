import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { startTestHub, type TestHub } from './harness.js';
import { rawRequest } from './http.js';

let hub: TestHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

const uuid = (n: number) => `7d1c5e2a-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function event(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: uuid(n),
    event_type: 'task_end',
    timestamp: new Date(Date.UTC(2026, 1, 16, 12, 0, n % 60)).toISOString(),
    task_id: `task-${n}`,
    model: 'claude-sonnet-4-5',
    status: 'success',
    tokens_input: 100 + n,
    tokens_output: 10,
    ...extra,
  };
}

async function post(h: TestHub, body: unknown, headers: Record<string, string> = {}) {
  const res = await h.fetch('/api/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, any>,
  };
}

const stored = async (h: TestHub) => h.hub.store.countEvents({});

describe('POST /api/events', () => {
  it('stores a batch, publishes it live and reads the export form back', async () => {
    hub = await startTestHub();
    const seen: string[] = [];
    hub.hub.bus.subscribe(({ events }) => seen.push(...events.map((e) => e.id)));
    const res = await post(hub, { events: [event(1), event(2)] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 2,
      inserted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: 0,
      errors: [],
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(seen).toEqual([uuid(1), uuid(2)]);
    const e = (await hub.hub.store.queryEvents({ limit: 10 })).events.find((x) => x.id === uuid(2));
    expect(e).toMatchObject({
      type: 'task_end',
      kind: 'task',
      taskId: 'task-2',
      status: 'success',
      tokensIn: 102,
      source: { adapter: 'vigil', file: null, line: null, offset: null },
    });
  });

  it('A2: one bad event in a batch of 100 → 207, 99 stored, the error names the field', async () => {
    hub = await startTestHub();
    const batch = Array.from({ length: 100 }, (_, i) =>
      i === 42 ? event(i, { timestamp: 'yesterday-ish' }) : event(i),
    );
    const res = await post(hub, batch);
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ accepted: 99, inserted: 99, rejected: 1 });
    expect(res.body['errors']).toEqual([
      { index: 42, field: 'timestamp', message: expect.stringContaining('timestamp:') },
    ]);
    expect(await stored(hub)).toBe(99);
    expect(hub.hub.monitor.recentRejects.at(-1)).toMatchObject({
      file: 'POST /api/events',
      line: 42,
    });
    // Missing required field and wrong type name their fields too.
    const more = await post(hub, [
      { timestamp: '2026-02-16T12:00:00Z' },
      event(500, { tokens_input: -3 }),
      'not an object',
    ]);
    expect(more.status).toBe(400);
    expect(
      more.body['errors'].map((e: { index: number; field: string | null }) => [e.index, e.field]),
    ).toEqual([
      [0, 'event_type'],
      [1, 'tokens_input'],
      [2, null],
    ]);
    expect(await stored(hub)).toBe(99);
  });

  it('A3: a body that is not JSON → 400 with a reason, nothing stored', async () => {
    hub = await startTestHub();
    for (const body of ['{"events": [', 'hello', '{"events": 3}']) {
      const res = await post(hub, body);
      expect(res.status, body).toBe(400);
      expect(res.body['message']).toBeTruthy();
    }
    const wrongType = await hub.fetch('/api/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '[]',
    });
    expect(wrongType.status).toBe(400);
    expect(await stored(hub)).toBe(0);
  });

  it('A5: the same batch retried 5 times is stored once; same id with another body is a conflict', async () => {
    hub = await startTestHub();
    const batch = Array.from({ length: 100 }, (_, i) => event(i));
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await post(hub, batch)).body);
    expect(results.map((r) => [r['inserted'], r['duplicates'], r['conflicts']])).toEqual([
      [100, 0, 0],
      [0, 100, 0],
      [0, 100, 0],
      [0, 100, 0],
      [0, 100, 0],
    ]);
    // Items without an id get one derived from their content: retries are idempotent too.
    const anonymous = [
      { event_type: 'note', timestamp: '2026-02-16T12:00:00Z', error_message: 'x' },
    ];
    expect((await post(hub, anonymous)).body['inserted']).toBe(1);
    expect((await post(hub, anonymous)).body['duplicates']).toBe(1);
    const changed = await post(hub, [event(7, { tokens_output: 999 })]);
    expect(changed.body).toMatchObject({ inserted: 0, duplicates: 1, conflicts: 1 });
    expect(await stored(hub)).toBe(101);
    expect(hub.hub.monitor.conflicts).toBe(1);
  });

  it('A6: __proto__ keys are refused and nothing is polluted', async () => {
    hub = await startTestHub();
    for (const body of [
      '{"__proto__": {"polluted": true}, "events": []}',
      `[{"event_type":"x","timestamp":"2026-02-16T12:00:00Z","attrs":{"__proto__":{"polluted":true}}}]`,
      `[{"event_type":"x","timestamp":"2026-02-16T12:00:00Z","constructor":{"prototype":{"polluted":true}}}]`,
    ]) {
      const res = await post(hub, body);
      expect(res.status, body).toBe(400);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await stored(hub)).toBe(0);
  });

  it('takes other line formats with ?format= and refuses document formats', async () => {
    hub = await startTestHub();
    const kpi = await post(hub, [event(1)], {});
    expect(kpi.status).toBe(200);
    const res = await hub.fetch('/api/events?format=kpi', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ ...event(2), timestamp: 'bad' }, event(3)]),
    });
    expect(res.status).toBe(207);
    const doc = await hub.fetch('/api/events?format=wfc-review', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(doc.status).toBe(400);
    const unknown = await hub.fetch('/api/events?format=nope', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toContain('nope');
  });
});

describe('A1: body limits, checked after decompression', () => {
  it('413 for a body over the limit, plain or gzip, and for a gzip bomb; the hub stays healthy', async () => {
    hub = await startTestHub({ env: { VIGIL_BODY_LIMIT_BYTES: String(64 * 1024) } });
    const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => event(i)));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const plain = await post(hub, big);
    expect(plain.status).toBe(413);
    const zipped = gzipSync(big);
    expect(zipped.length).toBeLessThan(64 * 1024);
    const gz = await post(hub, zipped, { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(413);
    // 64 MiB of spaces inside a JSON array, about 64 KiB compressed: 1,000 times the limit.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('['), Buffer.alloc(64 << 20, 0x20), Buffer.from(']')]),
      { level: 1 },
    );
    const rssBefore = process.memoryUsage().rss;
    const b = await post(hub, bomb, { 'content-encoding': 'gzip' });
    expect(b.status).toBe(413);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 << 20);
    const small = await post(hub, gzipSync(JSON.stringify([event(1)])), {
      'content-encoding': 'gzip',
    });
    expect(small.status).toBe(200);
    expect(await stored(hub)).toBe(1);
    const health = await hub.fetch('/healthz');
    expect(health.status).toBe(200);
    const unsupported = await post(hub, '[]', { 'content-encoding': 'zstd' });
    expect(unsupported.status).toBe(415);
  });

  it('survives a compressed body that turns corrupt after the limit, and answers 400 to one corrupt within it', async () => {
    hub = await startTestHub({ env: { VIGIL_BODY_LIMIT_BYTES: String(64 * 1024) } });
    // Barely compressible, so the corruption sits where more than the limit has been inflated.
    const text = JSON.stringify([randomBytes(90_000).toString('base64')]);
    for (const at of [0.3, 0.5, 0.7, 0.8, 0.9, 0.95]) {
      const body = gzipSync(text);
      const i = Math.floor(body.length * at);
      for (let k = 0; k < 16; k++) body[i + k] = (body[i + k] as number) ^ 0x5a;
      expect((await post(hub, body, { 'content-encoding': 'gzip' })).status, `at ${at}`).toBe(413);
    }
    const small = gzipSync(JSON.stringify([event(1)]));
    small[small.length - 6] = (small[small.length - 6] as number) ^ 0xff;
    expect((await post(hub, small, { 'content-encoding': 'gzip' })).status).toBe(400);
    // Still up (an error thrown by the inflater would have ended the process, and this test).
    expect((await post(hub, [event(2)])).status).toBe(200);
    expect((await hub.fetch('/healthz')).status).toBe(200);
  });

  it('413 for more events than one request may carry', async () => {
    hub = await startTestHub();
    const res = await post(
      hub,
      Array.from({ length: 10_001 }, () => ({})),
    );
    expect(res.status).toBe(413);
    expect(res.body['message']).toContain('at most 10000');
  });
});

describe('A4: overload and a locked store', () => {
  it('429 with Retry-After when too many ingests are in flight; nothing half-stored', async () => {
    hub = await startTestHub();
    const h = hub;
    // Eight requests whose bodies never finish keep their slots busy.
    const sockets = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const socket = connect(h.port, '127.0.0.1');
        await new Promise((r) => socket.once('connect', r));
        socket.write(
          `POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[`,
        );
        return socket;
      }),
    );
    let res = await post(h, [event(1)]);
    for (let i = 0; i < 50 && res.status !== 429; i++) res = await post(h, [event(1)]);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    for (const s of sockets) s.destroy();
    // Slots free again once those connections are gone.
    let after = await post(h, [event(2)]);
    for (let i = 0; i < 200 && after.status === 429; i++) after = await post(h, [event(2)]);
    expect(after.status).toBe(200);
  });

  it('503 with Retry-After when another process holds the write lock; retry stores it all', async () => {
    hub = await startTestHub({ busyTimeoutMs: 100 });
    const other = new Database(hub.config.dbPath);
    other.exec('BEGIN IMMEDIATE');
    const res = await post(hub, [event(1), event(2)]);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    other.exec('ROLLBACK');
    other.close();
    expect(await stored(hub)).toBe(0);
    const retry = await post(hub, [event(1), event(2)]);
    expect(retry.status).toBe(200);
    expect(await stored(hub)).toBe(2);
  });
});

describe('raw request helper sanity', () => {
  it('sends the Host given', async () => {
    hub = await startTestHub();
    const res = await rawRequest(hub.port, { path: '/healthz', headers: { host: 'localhost' } });
    expect(res.status).toBe(200);
  });
});
