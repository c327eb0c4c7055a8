import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect as connect_ } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { tuneStreams } from '../../src/server/streams/index.js';
import { startTestHub, type TestHub } from './harness.js';
import {
  makeEvent,
  makeEvents,
  openStalledClient,
  range,
  waitUntil,
  wsUpgradeHead,
  WsCollector,
  type WsMessage,
} from './streams-helpers.js';

let t: TestHub | null = null;
const clients: WsCollector[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.close();
  t = null;
});

async function connect(path = '/ws', headers: Record<string, string> = {}) {
  const c = await WsCollector.open(`ws://127.0.0.1:${(t as TestHub).port}${path}`, headers);
  clients.push(c);
  return c;
}

const hub = () => t as TestHub;

/** All-time input tokens of a cost.update message. */
const allTimeTokensIn = (m: WsMessage | undefined): number | undefined =>
  (m?.data?.['all_time'] as { tokens_input?: number } | undefined)?.tokens_input;

describe('WebSocket /ws and /dashboard', () => {
  it('acknowledges the connection, then sends a generic event message per commit, in order', async () => {
    t = await startTestHub({ events: makeEvents(3) });
    const c = await connect();
    const ack = c.messages[0] as WsMessage;
    expect(ack.event).toBe('connection_ack');
    expect(ack.data).toMatchObject({ server: 'vigil', protocol: 1, lastSeq: 3, resumeAfter: null });
    expect(hub().hub.clients.websocket).toBe(1);

    const sent = makeEvents(25);
    const r1 = await hub().hub.ingestEvents(sent.slice(0, 10));
    const r2 = await hub().hub.ingestEvents(sent.slice(10));
    await waitUntil(
      () => c.seqs.length === 25,
      () => `25 event messages, have ${c.seqs.length}`,
    );
    expect(r1.firstSeq).toBe(4);
    expect(r2.firstSeq).toBe(14);
    expect(c.seqs).toEqual(range(4, 28));
    expect(c.named('event').map((m) => m.data?.['event_id'])).toEqual(sent.map((e) => e.id));
    expect(c.named('event')[0]?.data).toMatchObject({ kind: 'log', event_type: 'note' });
  });

  it('answers at /dashboard too, and a plain GET gets 426 Upgrade Required', async () => {
    t = await startTestHub();
    const c = await connect('/dashboard');
    expect(c.messages[0]?.event).toBe('connection_ack');
    const res = await hub().fetch('/ws');
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
  });

  it('refuses a foreign Origin with 403 and accepts same-origin and no-origin upgrades (S3)', async () => {
    t = await startTestHub();
    await expect(connect('/ws', { origin: 'https://evil.example' })).rejects.toMatchObject({
      status: 403,
    });
    await expect(
      connect('/dashboard', { origin: 'http://localhost.evil.example' }),
    ).rejects.toMatchObject({
      status: 403,
    });
    expect(hub().hub.clients.websocket).toBe(0);
    // The server closes a refused upgrade's socket itself, even when the client keeps it open.
    const raw = connect_(hub().port);
    let reply = '';
    let ended = false;
    raw.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    raw.on('end', () => (ended = true));
    raw.write(
      wsUpgradeHead(hub().port).replace('\r\n\r\n', '\r\nOrigin: https://evil.example\r\n\r\n'),
    );
    await waitUntil(() => ended, 'the server to close the refused socket');
    expect(reply).toMatch(/^HTTP\/1\.1 403 /);
    expect(reply).toContain('may not open a WebSocket');
    raw.destroy();
    const same = await connect('/ws', { origin: `http://127.0.0.1:${hub().port}` });
    const none = await connect('/ws');
    expect(same.messages[0]?.event).toBe('connection_ack');
    expect(none.messages[0]?.event).toBe('connection_ack');
    expect(hub().hub.clients.websocket).toBe(2);
  });

  it("sends seed 004's names as a task moves inbox → assigned → done, and task.updated on an edit", async () => {
    t = await startTestHub();
    const c = await connect('/dashboard');
    const task = (extra: string) =>
      `id: T-42\ntitle: "Wire the dashboard"\nagent: backend-dev\npriority: high\nmodel: gpt-5\ncreated_at: 2026-02-05T09:12:00Z\ntags: [ui, live]\n${extra}`;
    const inbox = hub().write('work/collaboration/inbox/T-42.yaml', task('status: new\n'));
    await hub().ingest([inbox]);
    await waitUntil(() => c.named('task.created').length === 1, 'task.created');

    rmSync(inbox);
    const assigned = hub().write(
      'work/collaboration/assigned/T-42.yaml',
      task('status: assigned\nassigned_at: 2026-02-05T09:30:00Z\n'),
    );
    await hub().ingest([assigned]);
    await waitUntil(() => c.named('task.assigned').length === 1, 'task.assigned');

    rmSync(assigned);
    const done = hub().write(
      'work/collaboration/done/T-42.yaml',
      task('status: done\ncompleted_at: 2026-02-05T11:00:00Z\n'),
    );
    await hub().ingest([done]);
    await waitUntil(() => c.named('task.completed').length === 1, 'task.completed');

    hub().write(
      'work/collaboration/done/T-42.yaml',
      task('status: done\ncompleted_at: 2026-02-05T11:00:00Z\nresult: merged\n'),
    );
    await hub().ingest([done]);
    await waitUntil(() => c.named('task.updated').length === 1, 'task.updated');

    const named = c.messages.filter((m) => m.event.startsWith('task.'));
    expect(named.map((m) => m.event)).toEqual([
      'task.created',
      'task.assigned',
      'task.completed',
      'task.updated',
    ]);
    expect(named.map((m) => m.data?.['column'])).toEqual(['inbox', 'assigned', 'done', 'done']);
    for (const m of named) {
      expect(m.data).toMatchObject({
        id: 'T-42',
        task_id: 'T-42',
        title: 'Wire the dashboard',
        agent: 'backend-dev',
        priority: 'high',
        model: 'gpt-5',
        tags: ['ui', 'live'],
        file: 'T-42.yaml',
      });
    }
    expect(named[2]?.data).toMatchObject({
      status: 'done',
      event_status: 'success',
      timestamp: '2026-02-05T11:00:00.000Z',
    });
    expect(named[3]?.data).toMatchObject({ result: 'merged' });
    // Each named message is followed by the generic message of the same event.
    const order = c.messages.filter((m) => m.event === 'event' || m.event.startsWith('task.'));
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i + 1]?.event).toBe('event');
      expect(order[i + 1]?.data?.seq).toBe(order[i]?.data?.seq);
      expect(order[i + 1]?.data?.['event_type']).toBe(order[i]?.event);
    }
  });

  it('sends cost.update with today and all-time totals after a KPI task_end with tokens, at most once per interval', async () => {
    t = await startTestHub({ env: { VIGIL_STREAM_INTERVAL_MS: '300' } });
    const c = await connect();
    // The current totals arrive right after the acknowledgement.
    await waitUntil(() => c.named('cost.update').length === 1, 'the initial cost.update');
    expect(c.named('cost.update')[0]?.data).toMatchObject({
      all_time: { tokens_input: 0, cost_usd: 0 },
      today: { tokens_input: 0 },
    });
    const now = new Date().toISOString();
    const kpi = hub().write(
      '.droid/kpis.jsonl',
      `${JSON.stringify({ event_id: randomUUID(), event_type: 'task_start', timestamp: now, task_id: 'task_1', model: 'claude-sonnet-4' })}\n` +
        `${JSON.stringify({ event_id: randomUUID(), event_type: 'task_end', timestamp: now, task_id: 'task_1', tokens_input: 1500, tokens_output: 800, duration_seconds: 150, status: 'success' })}\n`,
    );
    await hub().ingest([kpi]);
    await waitUntil(
      () => c.named('cost.update').some((m) => allTimeTokensIn(m) === 1500),
      'a cost.update counting the task',
    );
    const update = c.named('cost.update').at(-1)?.data as Record<string, { [k: string]: unknown }>;
    const expectedCost = (1500 * 3 + 800 * 15) / 1_000_000;
    expect(update['all_time']).toMatchObject({
      tokens_input: 1500,
      tokens_output: 800,
      total_tokens: 2300,
      tasks: 1,
    });
    expect(update['all_time']?.['cost_usd']).toBeCloseTo(expectedCost, 6);
    expect(update['today']).toMatchObject({ tokens_input: 1500, tokens_output: 800 });
    expect(update['today']?.['cost_usd']).toBeCloseTo(expectedCost, 6);
    expect(update['all_time']?.['by_model']).toEqual([
      expect.objectContaining({ model: 'claude-sonnet-4', tokens_input: 1500, priced: true }),
    ]);

    // A burst of cost-bearing commits: updates at least 300 ms apart, the last one complete.
    const before = c.named('cost.update').length;
    const times: number[] = [];
    c.ws.on('message', (data) => {
      if (String(data).startsWith('{"event":"cost.update"')) times.push(performance.now());
    });
    for (let i = 0; i < 12; i++) {
      await hub().hub.ingestEvents([
        makeEvent({
          kind: 'llm_call',
          type: 'llm_response_received',
          model: 'gpt-5',
          tokensIn: 100,
          tokensOut: 10,
          ts: Date.now(),
        }),
      ]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(
      () => allTimeTokensIn(c.named('cost.update').at(-1)) === 1500 + 1200,
      'a cost.update with the whole burst',
    );
    const burst = c.named('cost.update').length - before;
    expect(burst).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(250);
    }
    expect(burst).toBeLessThanOrEqual(3);
  });

  it('answers ping with pong (JSON or text) and pings the client at the protocol level', async () => {
    t = await startTestHub();
    tuneStreams(t.hub, { wsPingMs: 40 });
    const c = await connect();
    c.send({ event: 'ping' });
    c.send('ping');
    await waitUntil(() => c.named('pong').length === 2, 'two pongs');
    expect(c.named('pong')[0]?.data?.['ts']).toEqual(expect.any(Number));
    c.send('{"event":"dance"}');
    c.send('not json');
    await waitUntil(() => c.named('error').length === 2, 'two error replies');
    expect(String(c.named('error')[0]?.data?.['message'])).toContain('{"event":"ping"}');
    await waitUntil(() => c.pings >= 2, 'protocol pings');
    // The ws client answers pings, so it stays connected.
    expect(c.closed).toBe(false);
  });

  it('terminates a peer that stops answering protocol pings, without counting it as a slow reader', async () => {
    t = await startTestHub();
    tuneStreams(t.hub, { wsPingMs: 40 });
    const socket = await openStalledClient(
      t.port,
      wsUpgradeHead(t.port),
      '101 Switching Protocols',
    );
    await waitUntil(() => t?.hub.clients.websocket === 1, 'the raw client to be counted');
    await waitUntil(() => t?.hub.clients.websocket === 0, 'the silent peer to be terminated');
    expect(t.hub.droppedClients.websocket).toBe(0);
    socket.destroy();
  });

  it('filters with a subscribe message and with ?kind=', async () => {
    t = await startTestHub();
    const c = await connect();
    const q = await connect('/ws?kind=llm_call');
    c.send({ event: 'subscribe', data: { kinds: ['board'] } });
    await waitUntil(() => c.named('subscribed').length === 1, 'subscribed');
    expect(c.named('subscribed')[0]?.data).toMatchObject({
      filter: { kinds: ['board'], types: null, session: null },
    });
    c.send({ event: 'subscribe', data: { kinds: ['nope'] } });
    await waitUntil(() => c.named('error').length === 1, 'an error for an unknown kind');
    await hub().hub.ingestEvents([
      makeEvent(),
      makeEvent({
        kind: 'board',
        type: 'task.created',
        taskId: 'T-1',
        attrs: { title: 'x', column: 'inbox' },
      }),
      makeEvent({ kind: 'llm_call', type: 'llm_response_received' }),
    ]);
    await waitUntil(() => c.seqs.length === 1 && q.seqs.length === 1, 'one event each');
    expect(
      c.messages
        .filter((m) => m.event === 'event' || m.event.startsWith('task.'))
        .map((m) => m.event),
    ).toEqual(['task.created', 'event']);
    expect(q.named('event')[0]?.data?.['kind']).toBe('llm_call');
  });

  it('closes with 1008 and an error message when the query is invalid', async () => {
    t = await startTestHub();
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/ws?kind=bogus`);
    const received: string[] = [];
    ws.on('message', (data) => received.push(String(data)));
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(1008);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0] as string)).toMatchObject({
      event: 'error',
      data: { message: expect.stringContaining('unknown kind "bogus"') },
    });
    expect(t.hub.clients.websocket).toBe(0);
  });

  it('resumes with ?lastSeq=: replays what was missed, then continues live', async () => {
    t = await startTestHub({ events: makeEvents(40) });
    tuneStreams(t.hub, { replayPageSize: 7 });
    const c = await connect('/ws?lastSeq=25');
    expect(c.messages[0]?.data).toMatchObject({ lastSeq: 40, resumeAfter: 25 });
    await hub().hub.ingestEvents(makeEvents(5));
    await waitUntil(
      () => c.seqs.length === 20,
      () => `20 events, have ${c.seqs.length}`,
    );
    expect(c.seqs).toEqual(range(26, 45));
  });

  it('keeps hub.clients.websocket accurate as clients come and go', async () => {
    t = await startTestHub();
    const a = await connect();
    const b = await connect('/dashboard');
    expect(hub().hub.clients.websocket).toBe(2);
    a.ws.close();
    await waitUntil(() => hub().hub.clients.websocket === 1, 'one client after a close');
    b.close();
    await waitUntil(() => hub().hub.clients.websocket === 0, 'no client after a reset');
    expect(hub().hub.droppedClients.websocket).toBe(0);
  });
});
