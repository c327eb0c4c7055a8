import { ServerResponse } from 'node:http';

import { afterEach, describe, expect, it, vi } from 'vitest';

import type { VigilEvent } from '../../src/core/event.js';
import { tuneStreams } from '../../src/server/streams/index.js';
import type { SequencedEvent } from '../../src/store/types.js';
import { startTestHub, type TestHub } from './harness.js';
import { makeEvent, makeEvents, range, SseReader, waitUntil } from './streams-helpers.js';

let t: TestHub | null = null;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await t?.close();
  t = null;
});

async function open(path = '/api/events/stream', headers: Record<string, string> = {}) {
  const reader = await SseReader.open(`${(t as TestHub).url}${path}`, headers);
  readers.push(reader);
  return reader;
}

/** Commits `batches` batches of `size` events; returns the sequences they got. */
async function commit(batches: number, size: number, overrides: Partial<VigilEvent> = {}) {
  const seqs: number[] = [];
  for (let b = 0; b < batches; b++) {
    const result = await (t as TestHub).hub.ingestEvents(makeEvents(size, overrides));
    expect(result.firstSeq).not.toBeNull();
    seqs.push(
      ...range(result.firstSeq as number, (result.firstSeq as number) + result.inserted - 1),
    );
  }
  return seqs;
}

describe('GET /api/events/stream', () => {
  it('sends every committed event once, in order, one frame each, with its sequence as id', async () => {
    t = await startTestHub();
    const reader = await open();
    expect(reader.status).toBe(200);
    expect(reader.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(reader.headers['cache-control']).toBe('no-store');
    expect(reader.headers['x-content-type-options']).toBe('nosniff');
    expect(reader.retryMs).toBe(3000);
    expect(t.hub.clients.eventsStream).toBe(1);

    const sent: VigilEvent[] = [];
    const seqs: number[] = [];
    for (let b = 0; b < 8; b++) {
      const batch = makeEvents(1 + b * 7);
      sent.push(...batch);
      const r = await t.hub.ingestEvents(batch);
      seqs.push(...range(r.firstSeq as number, (r.firstSeq as number) + batch.length - 1));
    }
    // A re-sent event is a duplicate in the store: it must not be streamed again.
    await t.hub.ingestEvents([sent[0] as VigilEvent]);
    await waitUntil(
      () => reader.frames.length >= sent.length,
      () => `${sent.length} frames, have ${reader.frames.length}`,
    );
    const last = await t.hub.ingestEvents([makeEvent()]);
    await waitUntil(() => reader.frames.length === sent.length + 1, 'the marker event');

    expect(reader.seqs).toEqual([...seqs, last.firstSeq]);
    expect(reader.frames.map((f) => f.id)).toEqual(reader.seqs.map(String));
    expect(reader.frames.every((f) => f.event === 'event')).toBe(true);
    expect(reader.events.slice(0, sent.length).map((e) => e.event_id)).toEqual(
      sent.map((e) => e.id),
    );
    expect(reader.events[0]).toMatchObject({
      kind: 'log',
      event_type: 'note',
      source_adapter: 'test',
    });
  });

  it('resumes with Last-Event-ID: replays what was missed, then goes live, with no gap and no duplicate', async () => {
    t = await startTestHub();
    tuneStreams(t.hub, { replayPageSize: 50 });
    const first = await open();
    const before = await commit(3, 40);
    await waitUntil(() => first.frames.length === before.length, 'the first 120 events');
    first.close();
    await waitUntil(() => t?.hub.clients.eventsStream === 0, 'the server to see the disconnect');

    // Missed while disconnected: several replay pages.
    const missed = await commit(6, 55);
    // Committed while the replay runs: the second page read commits more first.
    const store = t.hub.store;
    const eventsAfter = store.eventsAfter.bind(store);
    const during: number[] = [];
    let calls = 0;
    store.eventsAfter = async (seq: number, limit: number): Promise<SequencedEvent[]> => {
      calls += 1;
      if (calls === 2 || calls === 4) during.push(...(await commit(2, 30)));
      return eventsAfter(seq, limit);
    };
    const resumed = await open('/api/events/stream', {
      'last-event-id': first.lastEventId as string,
    });
    expect(first.lastEventId).toBe(String(before.at(-1)));
    await waitUntil(
      () => calls >= 4 && resumed.frames.length >= missed.length + during.length,
      'the replay',
    );
    const after = await commit(2, 10);
    const expected = [...missed, ...during, ...after];
    await waitUntil(
      () => resumed.frames.length >= expected.length,
      () => `${expected.length} frames, have ${resumed.frames.length}`,
    );
    expect(during.length).toBe(120);
    expect(resumed.seqs).toEqual(expected);
    expect(new Set([...first.seqs, ...resumed.seqs]).size).toBe(before.length + expected.length);
  });

  it('does not lose events when more commit during a replay than it holds', async () => {
    t = await startTestHub();
    // Hold at most 5 live events while replaying: commits during the replay overflow it.
    tuneStreams(t.hub, { replayPageSize: 20, replayHoldEvents: 5 });
    const missed = await commit(5, 20);
    const store = t.hub.store;
    const eventsAfter = store.eventsAfter.bind(store);
    const during: number[] = [];
    let shortPages = 0;
    store.eventsAfter = async (seq: number, limit: number): Promise<SequencedEvent[]> => {
      const page = await eventsAfter(seq, limit);
      // The dangerous moment: the replay read its last page and is about to go live, and
      // more commits than it holds arrive after that read.
      if (page.length < limit && shortPages < 3) {
        shortPages += 1;
        during.push(...(await commit(3, 4)));
      }
      return page;
    };
    const resumed = await open(`/api/events/stream?since_seq=${(missed[0] as number) - 1}`);
    await waitUntil(() => shortPages === 3, 'three short pages');
    const after = await commit(1, 3);
    const expected = [...missed, ...during, ...after];
    await waitUntil(
      () => resumed.frames.length >= expected.length,
      () => `${expected.length} frames, have ${resumed.frames.length}`,
    );
    expect(resumed.seqs).toEqual(expected);
  });

  it('replays everything with ?lastEventId=0 and refuses a malformed resume point', async () => {
    t = await startTestHub({ events: makeEvents(30) });
    const all = await open('/api/events/stream?lastEventId=0');
    await waitUntil(() => all.frames.length === 30, 'the 30 stored events');
    expect(all.seqs).toEqual(range(1, 30));

    // A sequence past the newest (another store's) resumes from the newest, not past it.
    const ahead = await open('/api/events/stream', { 'last-event-id': '999999' });
    expect(ahead.comments[0]).toBe('connected; last seq 30, replaying after 30');
    const r = await t.hub.ingestEvents([makeEvent()]);
    await waitUntil(() => ahead.frames.length === 1, 'the next event after a resume from ahead');
    expect(ahead.seqs).toEqual([r.firstSeq]);

    const bad = await t.fetch('/api/events/stream', { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'expected an event sequence',
    );
  });

  it('keeps newlines, CRs and "data:" inside event text in one frame that parses back equal (S6)', async () => {
    t = await startTestHub();
    const reader = await open();
    const nasty = [
      'line one\nline two',
      'data: {"seq":999999}\n\nid: 1\nevent: event\ndata: forged',
      'cr\ronly\r\nand crlf\r\n',
      '\n\n\n',
      ': not a comment\nretry: 1',
      'unicode \u2028 separators \u2029 and emoji 🚀 and nul \u0000',
    ];
    const events = nasty.map((message, i) =>
      makeEvent({ message, attrs: { note: message, nested: { list: [message, i] } } }),
    );
    await t.hub.ingestEvents(events);
    await waitUntil(() => reader.frames.length >= events.length, 'one frame per event');
    // A marker proves nothing extra was parsed out of the text.
    const marker = makeEvent({ message: 'marker' });
    await t.hub.ingestEvents([marker]);
    await waitUntil(() => reader.frames.length === events.length + 1, 'the marker frame');
    expect(reader.frames).toHaveLength(events.length + 1);
    expect(reader.retryMs).toBe(3000);
    reader.events.slice(0, events.length).forEach((e, i) => {
      expect(e.error_message).toBe(nasty[i]);
      expect(e.attrs).toEqual({ note: nasty[i], nested: { list: [nasty[i], i] } });
      expect(reader.frames[i]?.data.includes('\n')).toBe(false);
    });
    expect(reader.events.at(-1)?.event_id).toBe(marker.id);
  });

  it('filters by kind, type and session, and rejects unknown kinds', async () => {
    t = await startTestHub();
    const byKind = await open('/api/events/stream?kind=board,task');
    const byType = await open('/api/events/stream?type=task.created&type=task_end');
    const bySession = await open('/api/events/stream?session=s-1');
    const everything = await open();
    const events = [
      makeEvent({ kind: 'board', type: 'task.created', taskId: 'T-1' }),
      makeEvent({ kind: 'task', type: 'task_end', sessionId: 's-1' }),
      makeEvent({ kind: 'log', type: 'note', sessionId: 's-1' }),
      makeEvent({ kind: 'llm_call', type: 'llm_response_received', sessionId: 's-2' }),
      makeEvent({ kind: 'board', type: 'task.completed', taskId: 'T-1' }),
    ];
    await t.hub.ingestEvents(events);
    await waitUntil(() => everything.frames.length === 5, 'all five events');
    const last = makeEvent({ kind: 'board', type: 'task.created', sessionId: 's-1' });
    await t.hub.ingestEvents([last]);
    await waitUntil(
      () =>
        byKind.frames.length === 4 && byType.frames.length === 3 && bySession.frames.length === 3,
      () =>
        `filtered frames, have ${byKind.frames.length}/${byType.frames.length}/${bySession.frames.length}`,
    );
    expect(byKind.events.map((e) => e.event_type)).toEqual([
      'task.created',
      'task_end',
      'task.completed',
      'task.created',
    ]);
    expect(byType.events.map((e) => e.event_type)).toEqual([
      'task.created',
      'task_end',
      'task.created',
    ]);
    expect(bySession.events.map((e) => e.event_type)).toEqual(['task_end', 'note', 'task.created']);

    const bad = await t.fetch('/api/events/stream?kind=bogus');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('unknown kind "bogus"');
  });

  it('sends heartbeat comments and keeps the client count accurate', async () => {
    t = await startTestHub();
    tuneStreams(t.hub, { heartbeatMs: 30 });
    const a = await open();
    const b = await open();
    expect(t.hub.clients.eventsStream).toBe(2);
    await waitUntil(
      () => a.comments.filter((c) => c === 'heartbeat').length >= 2,
      'two heartbeats',
    );
    expect(a.comments[0]).toMatch(/^connected; last seq \d+$/);
    a.close();
    await waitUntil(() => t?.hub.clients.eventsStream === 1, 'one client after a disconnect');
    b.close();
    await waitUntil(() => t?.hub.clients.eventsStream === 0, 'no client');
    expect(t.hub.droppedClients.eventsStream).toBe(0);
    // A closed client is no longer written to: a commit after both left writes nowhere.
    const write = vi.spyOn(ServerResponse.prototype, 'write');
    try {
      await commit(1, 5);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it('is behind the guard: a foreign Host is refused', async () => {
    t = await startTestHub();
    const reader = await open('/api/events/stream', { host: 'evil.example' });
    expect(reader.status).toBe(403);
    expect(t.hub.clients.eventsStream).toBe(0);
  });
});
