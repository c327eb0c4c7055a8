/**
 * /api/events (every filter of `vigil events`, cursor pagination, latest, exports), its count
 * and types, and /api/sessions, over VibeForge's event logs ingested through the real pipeline.
 * Expectations are computed from the fixture lines themselves.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../cli/helpers.js';
import { getJson as getFrom, startTestHub, type TestHub } from './harness.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const A1 = 'vibeforge/workspaces/sess_20260216_a1/events.jsonl';
const B7 = 'vibeforge/workspaces/sess_20260216_b7/events.jsonl';

interface Line {
  event_type: string;
  timestamp: string;
  session_id: string;
  message: string;
  phase: string | null;
  task_id: string | null;
  agent_role: string | null;
  model: string | null;
  metadata?: Record<string, unknown>;
}

const text = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');
const linesOf = (rel: string): Line[] =>
  text(rel)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
/** VibeForge writes naive UTC timestamps with microseconds. */
const tsOf = (s: string) => Date.parse(`${s.slice(0, 23)}Z`);

const a1 = linesOf(A1);
const b7 = linesOf(B7);
const all = [...a1, ...b7].sort((x, y) => tsOf(x.timestamp) - tsOf(y.timestamp));

/** A session whose messages need CSV quoting and formula guarding. */
const TRICKY = 'workspaces/sess_csv/events.jsonl';
const trickyMessages = [
  '=HYPERLINK("http://evil.example","click")',
  'comma, "quotes" and\na newline',
  '+SUM(A1:A2)',
  '@cmd',
  'plain text',
];
const trickyFile =
  trickyMessages
    .map((message, i) =>
      JSON.stringify({
        event_type: 'info',
        timestamp: `2026-03-01T10:00:0${i}`,
        session_id: 'sess_csv',
        message,
        phase: 'EXECUTION',
        task_id: null,
        agent_role: null,
        model: null,
        metadata: { note: i === 1 ? 'a,"b"' : 'x' },
      }),
    )
    .join('\n') + '\n';

interface ExportedEvent {
  event_id: string;
  event_type: string;
  kind: string;
  timestamp: string;
  session_id: string | null;
  task_id: string | null;
  error_message: string | null;
  source_adapter: string;
}
interface EventPage {
  events: ExportedEvent[];
  next_cursor: string | null;
}

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    files: { [A1]: text(A1), [B7]: text(B7), [TRICKY]: trickyFile },
  });
});
afterAll(async () => {
  await hub.close();
});

const getJson = <T>(path: string) => getFrom<T>(hub, path);

/** Walks every page of a paginated events query; returns the events in the order served. */
async function walk(
  path: string,
  pick: (body: any) => EventPage = (b) => b,
): Promise<{
  events: ExportedEvent[];
  pages: number;
}> {
  const events: ExportedEvent[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const body = await getJson<unknown>(
      cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`,
    );
    const page = pick(body);
    events.push(...page.events);
    cursor = page.next_cursor;
    pages += 1;
    expect(pages).toBeLessThan(100);
  } while (cursor !== null);
  return { events, pages };
}

/** The two VibeForge sessions (the CSV session is dated March). */
const vibeforge = '&adapter=agent-events&until=2026-02-28';

describe('GET /api/events filters', () => {
  const count = async (query: string) =>
    (await getJson<{ count: number }>(`/api/events/count?${query}`)).count;
  const listed = async (query: string) =>
    (await getJson<EventPage>(`/api/events?limit=1000&${query}`)).events;

  it('filters by type (repeated and comma-separated), kind, session, task, phase, role, model, status, adapter', async () => {
    const taskTypes = new Set([
      'task_scheduled',
      'task_started',
      'task_completed',
      'task_failed',
      'task_retrying',
      'task_skipped',
    ]);
    const byType = (...types: string[]) => all.filter((l) => types.includes(l.event_type)).length;
    expect(await count('type=llm_response_received')).toBe(byType('llm_response_received'));
    expect(await count('type=task_started,task_failed&type=gate_blocked')).toBe(
      byType('task_started', 'task_failed', 'gate_blocked'),
    );
    expect(await count(`kind=task${vibeforge}`)).toBe(
      all.filter((l) => taskTypes.has(l.event_type)).length,
    );
    expect(await count('session=sess_20260216_b7')).toBe(b7.length);
    expect(await count('task=task_002')).toBe(all.filter((l) => l.task_id === 'task_002').length);
    expect(await count('phase=VERIFICATION')).toBe(
      all.filter((l) => l.phase === 'VERIFICATION').length,
    );
    expect(await count('role=coder')).toBe(all.filter((l) => l.agent_role === 'coder').length);
    expect(await count('model=gpt-5.3-codex')).toBe(
      all.filter((l) => l.model === 'gpt-5.3-codex').length,
    );
    expect(await count('adapter=agent-events')).toBe(all.length + trickyMessages.length);
    expect(await count('adapter=kpi')).toBe(0);
    // Filters combine with AND.
    const failedInB7 = await listed('status=failure&session=sess_20260216_b7');
    expect(failedInB7.map((e) => e.event_type).sort()).toEqual(
      [
        'command_executed',
        'diff_failed',
        'session_failed',
        'task_failed',
        'verification_failed',
      ].sort(),
    );
  });

  it('searches free text (q) in messages, case-insensitively, combined with the other filters', async () => {
    const word = (a1[0] as Line).message.split(' ')[0] as string;
    const has = (l: Line, t: string) =>
      [
        l.message,
        l.event_type,
        l.task_id,
        l.session_id,
        l.model,
        l.phase,
        l.agent_role,
        l.metadata ? JSON.stringify(l.metadata) : null,
      ].some((v) => v !== null && v !== undefined && v.toLowerCase().includes(t.toLowerCase()));
    const expected = all.filter((l) => has(l, word)).length;
    expect(expected).toBeGreaterThan(0);
    expect(await count(`q=${encodeURIComponent(word.toUpperCase())}${vibeforge}`)).toBe(expected);
    expect(await count(`q=${encodeURIComponent(word)}&session=sess_20260216_b7`)).toBe(
      b7.filter((l) => has(l, word)).length,
    );
    const quoted = await listed(`q=${encodeURIComponent('"quotes"')}`);
    expect(quoted.map((e) => e.error_message)).toEqual(['comma, "quotes" and\na newline']);
    expect(await count('q=no-such-text-anywhere')).toBe(0);
  });

  it('takes since/until as ISO times, dates and epoch milliseconds (since inclusive, until exclusive)', async () => {
    const cut = '2026-02-16T10:00:00Z';
    const after = all.filter((l) => tsOf(l.timestamp) >= Date.parse(cut)).length;
    expect(after).toBe(b7.length);
    expect(await count(`since=${cut}${vibeforge}`)).toBe(after);
    expect(await count(`since=${Date.parse(cut)}${vibeforge}`)).toBe(after);
    expect(await count(`until=${cut}&adapter=agent-events`)).toBe(a1.length);
    // Exactly one event's timestamp as since (inclusive) and as until (exclusive).
    const first = b7[0] as Line;
    expect(await count(`since=${tsOf(first.timestamp)}&session=sess_20260216_b7`)).toBe(b7.length);
    expect(await count(`until=${tsOf(first.timestamp)}&session=sess_20260216_b7`)).toBe(0);
    // A date as until includes that whole day.
    expect(await count('until=2026-02-16&adapter=agent-events')).toBe(all.length);
    expect(await count('until=2026-02-15&adapter=agent-events')).toBe(0);
  });

  it('returns the latest N, oldest first by default and newest first with order=desc', async () => {
    const newest = all.slice(-3);
    const asc = await listed('latest=3&adapter=agent-events&session=sess_20260216_b7');
    expect(asc.map((e) => e.event_type)).toEqual(newest.map((l) => l.event_type));
    const desc = await listed('latest=3&order=desc&session=sess_20260216_b7');
    expect(desc.map((e) => e.event_type)).toEqual(newest.map((l) => l.event_type).reverse());
  });

  it('lists the event types with counts', async () => {
    const body = await getJson<{ types: { type: string; kind: string; count: number }[] }>(
      '/api/events/types?session=sess_20260216_a1',
    );
    const expected = new Map<string, number>();
    for (const l of a1) expected.set(l.event_type, (expected.get(l.event_type) ?? 0) + 1);
    expect(new Map(body.types.map((t) => [t.type, t.count]))).toEqual(expected);
    const counts = body.types.map((t) => t.count);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));
    expect(body.types.find((t) => t.type === 'llm_request_sent')?.kind).toBe('llm_call');
  });
});

describe('GET /api/events pagination', () => {
  it('walks every page in time order with no gaps or repeats, both directions', async () => {
    const full = (await getJson<EventPage>(`/api/events?limit=1000${vibeforge}`)).events;
    expect(full).toHaveLength(all.length);
    expect(full.map((e) => e.event_type)).toEqual(all.map((l) => l.event_type));

    const asc = await walk(`/api/events?limit=7${vibeforge}`);
    expect(asc.pages).toBe(Math.ceil(all.length / 7));
    expect(asc.events.map((e) => e.event_id)).toEqual(full.map((e) => e.event_id));
    expect(new Set(asc.events.map((e) => e.event_id)).size).toBe(all.length);

    const desc = await walk(`/api/events?limit=10&order=desc${vibeforge}`);
    expect(desc.events.map((e) => e.event_id)).toEqual(full.map((e) => e.event_id).reverse());

    const llm = await walk('/api/events?limit=3&kind=llm_call');
    const llmTypes = new Set(['llm_request_sent', 'llm_response_received', 'model_routed']);
    expect(llm.events.map((e) => e.event_type)).toEqual(
      all.filter((l) => llmTypes.has(l.event_type)).map((l) => l.event_type),
    );
  });

  it('answers the last page with next_cursor null', async () => {
    const page = await getJson<EventPage>(`/api/events?limit=${all.length}${vibeforge}`);
    expect(page.events).toHaveLength(all.length);
    expect(page.next_cursor).toBeNull();
  });
});

describe('GET /api/events exports', () => {
  const HEADER =
    'event_id,event_type,kind,timestamp,task_id,session_id,phase,agent_role,model,status,duration_seconds,tokens_input,tokens_output,tokens_cache_read,tokens_cache_write,cost_usd,error_message,source_adapter,source_file,source_line,attrs';

  it('streams every matching event as CSV with a header row (format=csv or Accept: text/csv)', async () => {
    for (const init of [
      { q: '&format=csv', h: {} as Record<string, string> },
      { q: '', h: { accept: 'text/csv' } },
    ]) {
      const res = await hub.fetch(`/api/events?session=sess_20260216_a1${init.q}`, {
        headers: init.h,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const body = await res.text();
      expect(body.split('\n')[0]).toBe(HEADER);
      const rows = parseCsv(body);
      expect(rows).toHaveLength(a1.length + 1);
      expect(rows.slice(1).map((r) => r[1])).toEqual(a1.map((l) => l.event_type));
      expect(rows.every((r) => r.length === HEADER.split(',').length)).toBe(true);
    }
  });

  it('quotes commas, quotes and newlines, and defuses formula cells', async () => {
    const res = await hub.fetch('/api/events?session=sess_csv&format=csv');
    const rows = parseCsv(await res.text());
    const header = rows[0] as string[];
    const messageCol = header.indexOf('error_message');
    const attrsCol = header.indexOf('attrs');
    const messages = rows.slice(1).map((r) => r[messageCol]);
    expect(messages).toEqual([
      `'=HYPERLINK("http://evil.example","click")`,
      'comma, "quotes" and\na newline',
      `'+SUM(A1:A2)`,
      `'@cmd`,
      'plain text',
    ]);
    expect(JSON.parse(rows[2]?.[attrsCol] ?? '')).toEqual({ note: 'a,"b"' });
  });

  it('exports one page as CSV when limit is given, with the next cursor in a header', async () => {
    const res = await hub.fetch(`/api/events?limit=5&format=csv${vibeforge}`);
    const rows = parseCsv(await res.text());
    expect(rows).toHaveLength(6);
    const cursor = res.headers.get('x-next-cursor');
    expect(cursor).not.toBeNull();
    const next = await getJson<EventPage>(
      `/api/events?limit=1&cursor=${encodeURIComponent(cursor ?? '')}${vibeforge}`,
    );
    expect(next.events[0]?.event_type).toBe(all[5]?.event_type);
  });

  it('streams NDJSON, one event per line', async () => {
    const res = await hub.fetch('/api/events?session=sess_20260216_b7&format=ndjson');
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportedEvent);
    expect(lines.map((e) => e.event_type)).toEqual(b7.map((l) => l.event_type));
  });
});

describe('GET /api/events bad parameters', () => {
  it.each([
    ['since=yesterday-ish', 'since'],
    ['until=2026-13-40', 'until'],
    ['kind=nonsense', 'kind'],
    ['status=done', 'status'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=100000', 'limit'],
    ['latest=-1', 'latest'],
    ['order=sideways', 'order'],
    ['format=xml', 'format'],
    ['cursor=not-a-cursor', 'cursor'],
    ['since=2026-02-17&until=2026-02-16', 'since'],
  ])('%s is a 400 naming %s', async (query, param) => {
    const res = await hub.fetch(`/api/events?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body.message).toContain(`${param}`);
    expect(body.message).toMatch(/^invalid querystring: /);
  });

  it('also checks the count and types routes', async () => {
    expect((await hub.fetch('/api/events/count?kind=nope')).status).toBe(400);
    expect((await hub.fetch('/api/events/types?since=whenever')).status).toBe(400);
  });
});

describe('GET /api/sessions', () => {
  interface Session {
    session_id: string;
    first_at: string;
    last_at: string;
    event_count: number;
    status: string | null;
    models: string[];
    tokens_input: number;
    tokens_output: number;
  }
  const tokens = (lines: Line[], key: 'prompt' | 'completion') =>
    lines
      .filter((l) => l.event_type === 'llm_response_received')
      .reduce((s, l) => {
        const m = l.metadata ?? {};
        const v =
          key === 'prompt'
            ? (m['prompt_tokens'] ?? m['input_tokens'])
            : (m['completion_tokens'] ?? m['output_tokens']);
        return s + (typeof v === 'number' ? v : 0);
      }, 0);

  it('lists sessions newest first with their counts, span, status and tokens', async () => {
    const { sessions } = await getJson<{ sessions: Session[] }>(
      '/api/sessions?since=2026-02-01&until=2026-02-28',
    );
    expect(sessions.map((s) => s.session_id)).toEqual(['sess_20260216_b7', 'sess_20260216_a1']);
    const [sb7, sa1] = sessions as [Session, Session];
    expect(sa1.event_count).toBe(a1.length);
    expect(sb7.event_count).toBe(b7.length);
    expect(sa1.first_at).toBe(new Date(tsOf((a1[0] as Line).timestamp)).toISOString());
    expect(sa1.last_at).toBe(new Date(tsOf((a1[a1.length - 1] as Line).timestamp)).toISOString());
    expect(sa1.status).toBe('success');
    expect(sb7.status).toBe('failure');
    expect(sa1.tokens_input).toBe(tokens(a1, 'prompt'));
    expect(sa1.tokens_output).toBe(tokens(a1, 'completion'));
    expect(sb7.models).toEqual([...new Set(b7.flatMap((l) => (l.model ? [l.model] : [])))].sort());
  });

  it('filters by date range and limit', async () => {
    const ids = async (q: string) =>
      (await getJson<{ sessions: Session[] }>(`/api/sessions?${q}`)).sessions.map(
        (s) => s.session_id,
      );
    expect(await ids('since=2026-02-16T10:00:00Z&until=2026-02-28')).toEqual(['sess_20260216_b7']);
    expect(await ids('since=2026-02-01&until=2026-02-16T10:00:00Z')).toEqual(['sess_20260216_a1']);
    expect(await ids('since=2026-02-01&until=2026-02-28&limit=1')).toEqual(['sess_20260216_b7']);
    expect((await hub.fetch('/api/sessions?limit=0')).status).toBe(400);
  });

  it('exports the list as CSV', async () => {
    const res = await hub.fetch('/api/sessions?since=2026-02-01&until=2026-02-28&format=csv');
    const rows = parseCsv(await res.text());
    expect(rows[0]?.slice(0, 4)).toEqual(['session_id', 'first_at', 'last_at', 'event_count']);
    expect(rows.slice(1).map((r) => [r[0], r[3]])).toEqual([
      ['sess_20260216_b7', String(b7.length)],
      ['sess_20260216_a1', String(a1.length)],
    ]);
  });

  it('summarises one session and pages through its timeline in time order', async () => {
    const first = await getJson<{
      session: Session & {
        counts_by_type: Record<string, number>;
        tasks: { total: number; success: number; failure: number; incomplete: number };
        phases: string[];
      };
      timeline: EventPage;
    }>('/api/sessions/sess_20260216_a1?limit=10');
    const s = first.session;
    expect(s.event_count).toBe(a1.length);
    const byType: Record<string, number> = {};
    for (const l of a1) byType[l.event_type] = (byType[l.event_type] ?? 0) + 1;
    expect(s.counts_by_type).toEqual(byType);
    const tasks = new Set(a1.flatMap((l) => (l.task_id ? [l.task_id] : [])));
    expect(s.tasks.total).toBe(tasks.size);
    expect(s.tasks.success).toBe(a1.filter((l) => l.event_type === 'task_completed').length);
    expect(s.tasks.failure).toBe(a1.filter((l) => l.event_type === 'task_failed').length);
    expect(s.phases).toEqual([...new Set(a1.flatMap((l) => (l.phase ? [l.phase] : [])))]);
    expect(first.timeline.events).toHaveLength(10);

    const timeline = await walk('/api/sessions/sess_20260216_a1?limit=10', (b) => b.timeline);
    expect(timeline.pages).toBe(Math.ceil(a1.length / 10));
    expect(timeline.events.map((e) => e.event_type)).toEqual(a1.map((l) => l.event_type));
    expect(new Set(timeline.events.map((e) => e.event_id)).size).toBe(a1.length);
  });

  it('answers 404 for an unknown session and 400 for a bad cursor', async () => {
    const res = await hub.fetch('/api/sessions/sess_nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('sess_nope');
    expect((await hub.fetch('/api/sessions/sess_20260216_a1?cursor=%%%')).status).toBe(400);
  });
});

describe('GET /api/events/committed', () => {
  type Committed = { events: (ExportedEvent & { seq: number })[]; last_seq: number };

  it('pages through every event in commit order, including one stamped earlier but committed later', async () => {
    const seen: (ExportedEvent & { seq: number })[] = [];
    let after = 0;
    for (;;) {
      const page = await getJson<Committed>(`/api/events/committed?after=${after}&limit=7`);
      if (page.events.length === 0) {
        expect(after).toBe(page.last_seq);
        break;
      }
      seen.push(...page.events);
      after = page.events.at(-1)!.seq;
    }
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seen.map((e) => e.event_id)).size).toBe(seen.length);
    expect(seen.length).toBe((await getJson<{ count: number }>('/api/events/count')).count);

    const res = await hub.fetch('/api/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            event_id: 'late-writer-1',
            event_type: 'info',
            timestamp: '2026-02-01T00:00:00Z',
            error_message: 'backfilled',
          },
        ],
      }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const next = await getJson<Committed>(`/api/events/committed?after=${after}`);
    expect(next.events.map((e) => [e.event_id, e.error_message])).toEqual([
      ['late-writer-1', 'backfilled'],
    ]);
    expect(next.events[0]!.seq).toBe(next.last_seq);
  });

  it('refuses a missing or negative after', async () => {
    expect((await hub.fetch('/api/events/committed')).status).toBe(400);
    expect((await hub.fetch('/api/events/committed?after=-1')).status).toBe(400);
  });
});
