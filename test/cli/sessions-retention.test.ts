import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createWorkspace, jsonl, uuid, type Workspace } from './helpers.js';
import { goldenKpiLines, SECRET_MESSAGE } from './kpi-fixture.js';

// `sessions`, and seed 003's retention commands: `prune --older-than 90d`, `sanitize --field
// error_message` (section 8, PII & data retention).

let ws: Workspace;
beforeEach(() => {
  ws = createWorkspace();
});
afterEach(() => ws.cleanup());

const golden = async () => {
  ws.write('.droid/kpis.jsonl', jsonl(goldenKpiLines()));
  expect((await ws.run(['ingest'])).code).toBe(2);
};

describe('sessions', () => {
  it('lists sessions newest first with events, tokens and models', async () => {
    await golden();
    const r = await ws.run(['sessions', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as Record<string, unknown>[]).map((s) => [
      s['sessionId'],
      s['firstTs'],
      s['lastTs'],
      s['eventCount'],
      s['tokensIn'],
      s['tokensOut'],
      s['models'],
    ]);
    const all = ['gemini-3-flash', 'gpt-5.3-codex', 'swe-1-5'];
    expect(rows).toEqual([
      ['sess_0216', '2026-02-16T09:00:00.000Z', '2026-02-16T14:03:00.000Z', 14, 8550, 3000, all],
      ['sess_0215', '2026-02-15T09:00:00.000Z', '2026-02-15T14:04:00.000Z', 15, 11850, 5050, all],
      [
        'sess_0209',
        '2026-02-09T09:00:00.000Z',
        '2026-02-09T09:05:00.000Z',
        2,
        5000,
        5000,
        ['gpt-5.3-codex'],
      ],
    ]);
  });

  it('--since/--until select the sessions active in the range; --limit caps the list', async () => {
    await golden();
    const ids = async (...args: string[]) =>
      (
        JSON.parse((await ws.run(['sessions', ...args, '--format', 'json'])).stdout) as {
          sessionId: string;
        }[]
      ).map((s) => s.sessionId);
    expect(await ids('--since', '2026-02-16')).toEqual(['sess_0216']);
    expect(await ids('--until', '2026-02-15')).toEqual(['sess_0215', 'sess_0209']);
    expect(await ids('--since', '2026-02-10', '--until', '2026-02-15')).toEqual(['sess_0215']);
    expect(await ids('--limit', '2')).toEqual(['sess_0216', 'sess_0215']);
    const none = await ws.run(['sessions', '--since', '2026-03-01']);
    expect([none.code, none.stderr]).toEqual([1, 'No sessions for period\n']);
  });

  it("one session's summary: span, tasks, tokens, models, kinds", async () => {
    await golden();
    const r = await ws.run(['sessions', 'sess_0215']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Session sess_0215',
        'From:           2026-02-15T09:00:00.000Z',
        'To:             2026-02-15T14:04:00.000Z',
        'Status:         n/a',
        'Events:         15',
        'Tasks:          6 (5 ok, 1 failed, 0 incomplete)',
        'Tokens:         11,850 in, 5,050 out',
        'Models:         gemini-3-flash, gpt-5.3-codex, swe-1-5',
        'Phases:         n/a',
        'Sources:        kpi',
        '',
        'By kind:',
        '  task:         12',
        '  review:       2',
        '  log:          1',
        '',
      ].join('\n'),
    );
    const csv = await ws.run(['sessions', 'sess_0215', '--format', 'csv']);
    expect(csv.stdout.split('\n').sort()).toEqual([
      '',
      'error,1',
      'review_end,1',
      'review_start,1',
      'task_end,6',
      'task_start,6',
      'type,count',
    ]);
  });

  it('an unknown session: exit 1', async () => {
    await golden();
    const r = await ws.run(['sessions', 'sess_nope']);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'No session sess_nope\n']);
  });
});

describe('prune --older-than 90d', () => {
  const DAY = 86_400_000;
  // Midnight-aligned days relative to now: 3 tasks 100 days ago (6 events, sess_old), 2 tasks
  // 10 days ago (4 events, sess_new).
  const dayStart = (daysAgo: number) => Math.floor((Date.now() - daysAgo * DAY) / DAY) * DAY;
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const events = (daysAgo: number, session: string, first: number, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const t0 = dayStart(daysAgo) + (9 + i) * 3_600_000;
      const task_id = `${session}_t${i}`;
      return [
        {
          event_id: uuid(first + 2 * i),
          event_type: 'task_start',
          timestamp: new Date(t0).toISOString(),
          task_id,
          session_id: session,
          model: 'swe-1-5',
        },
        {
          event_id: uuid(first + 2 * i + 1),
          event_type: 'task_end',
          timestamp: new Date(t0 + 60_000).toISOString(),
          task_id,
          session_id: session,
          status: 'success',
          duration_seconds: 60,
          tokens_input: 100,
          tokens_output: 10,
        },
      ];
    }).flat();

  beforeEach(async () => {
    ws.write(
      '.droid/kpis.jsonl',
      jsonl([...events(100, 'sess_old', 6000, 3), ...events(10, 'sess_new', 7000, 2)]),
    );
    expect((await ws.run(['ingest'])).code).toBe(0);
  });

  it('--dry-run counts what would go and changes nothing; the real run deletes exactly that', async () => {
    const dry = await ws.run(['prune', '--older-than', '90d', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^would delete 6 events, 3 tasks and 1 sessions older than \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
    expect(
      JSON.parse((await ws.run(['prune', '--older-than', '90d', '--dry-run', '--json'])).stdout),
    ).toMatchObject({ dry_run: true, events: 6, tasks: 3, sessions: 1 });
    expect((await ws.run(['events', '--count'])).stdout).toBe('10\n');

    const real = await ws.run(['prune', '--older-than', '90d']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^deleted 6 events, 3 tasks and 1 sessions older than /);
    expect((await ws.run(['events', '--count'])).stdout).toBe('4\n');
    expect((await ws.run(['events', '--session', 'sess_old', '--count'])).stdout).toBe('0\n');
    const sessions = JSON.parse((await ws.run(['sessions', '--format', 'json'])).stdout) as {
      sessionId: string;
    }[];
    expect(sessions.map((s) => s.sessionId)).toEqual(['sess_new']);
    expect((await ws.run(['doctor'])).code).toBe(0);
  });

  it('is idempotent: a second prune deletes nothing', async () => {
    await ws.run(['prune', '--older-than', '90d']);
    const again = await ws.run(['prune', '--older-than', '90d', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({
      dry_run: false,
      events: 0,
      tasks: 0,
      sessions: 0,
    });
  });

  it('keeps model and token aggregates: the pruned day still summarises', async () => {
    const day = date(dayStart(100));
    const before = JSON.parse(
      (await ws.run(['summary', '--since', day, '--until', day, '--format', 'json'])).stdout,
    ) as { summary: Record<string, number> };
    expect(before.summary).toMatchObject({ total_tasks: 3, total_tokens: 330 });
    await ws.run(['prune', '--older-than', '90d']);
    const after = await ws.run(['summary', '--since', day, '--until', day, '--format', 'json']);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as { summary: Record<string, number> }).summary).toMatchObject(
      { total_tasks: 3, successful_tasks: 3, total_tokens: 330 },
    );
  });

  it('a shorter retention reaches the recent events too', async () => {
    const r = await ws.run(['prune', '--older-than', '5d', '--dry-run', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ events: 10, tasks: 5, sessions: 2 });
  });
});

describe('sanitize --field error_message', () => {
  const errorMessage = async () => {
    const r = await ws.run(['events', '--kind', 'log', '--format', 'json']);
    return (JSON.parse(r.stdout) as { events: { error_message: string }[] }).events.map(
      (e) => e.error_message,
    );
  };

  it('--dry-run reports per kind and changes nothing', async () => {
    await golden();
    const r = await ws.run(['sanitize', '--field', 'error_message', '--dry-run']);
    expect([r.code, r.stdout]).toEqual([
      0,
      'would change 1 of 2 events (home_path 1, api_key 1)\n',
    ]);
    const json = await ws.run(['sanitize', '--field', 'error_message', '--dry-run', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      dry_run: true,
      field: 'error_message',
      scanned: 2,
      changed: 1,
      redactions: { home_path: 1, api_key: 1 },
    });
    expect(await errorMessage()).toEqual([SECRET_MESSAGE]);
  });

  it('redacts the API key and the home path; the next events query shows the clean text', async () => {
    await golden();
    const r = await ws.run(['sanitize', '--field', 'error_message']);
    expect([r.code, r.stdout]).toEqual([0, 'changed 1 of 2 events (home_path 1, api_key 1)\n']);
    expect(await errorMessage()).toEqual([
      'upstream rejected key [REDACTED:api_key] while reading ~/projects/app/.env',
    ]);
    const csv = (
      await ws.run(['export', '--format', 'csv', '--since', '2026-02-01', '--until', '2026-02-28'])
    ).stdout;
    expect(csv).not.toContain('sk-proj-');
    expect(csv).not.toContain('/home/alice');
    expect(csv).toContain("'=cmd()");
  });

  it('a second run changes nothing more', async () => {
    await golden();
    await ws.run(['sanitize', '--field', 'error_message']);
    const again = await ws.run(['sanitize', '--field', 'error_message', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({
      dry_run: false,
      field: 'error_message',
      scanned: 2,
      changed: 0,
      redactions: {},
    });
  });
});
