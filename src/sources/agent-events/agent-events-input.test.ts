import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { VigilEvent } from '../../core/event.js';
import { parseLineText, runLineAdapter } from '../parse-line.js';
import { agentEventsAdapter } from './index.js';

const root = join(import.meta.dirname, '../../../test/fixtures/vibeforge');
const sessionA = join(root, 'workspaces/sess_20260216_a1/events.jsonl');
const badLines = join(root, 'bad-lines.jsonl');

function parseOne(record: Record<string, unknown>): VigilEvent {
  const [r] = runLineAdapter(agentEventsAdapter, `${JSON.stringify(record)}\n`);
  if (!r?.result.ok) throw new Error(r?.result.ok === false ? r.result.reject.message : 'no line');
  const event = r.result.events[0];
  if (!event) throw new Error('no event');
  return event;
}

const base = {
  event_type: 'info',
  timestamp: '2026-02-16T09:15:00.000001',
  session_id: 'sess_t',
  message: 'm',
};

describe('agent-events adapter: lenient fields', () => {
  it('ingests an event type outside the catalogue as kind log with no status', () => {
    const event = parseOne({ ...base, event_type: 'budget_exceeded', metadata: { limit_usd: 5 } });
    expect(event).toMatchObject({
      type: 'budget_exceeded',
      kind: 'log',
      status: null,
      attrs: { limit_usd: 5 },
    });
  });

  it('keeps ill-typed optional fields out of the event, under attrs.ignored_fields', () => {
    const event = parseOne({
      ...base,
      task_id: { id: 1 },
      phase: 3,
      agent_role: true,
      metadata: 'oops',
    });
    expect(event).toMatchObject({ taskId: null, phase: '3', agentRole: null });
    expect(event.attrs).toEqual({
      ignored_fields: { task_id: { id: 1 }, agent_role: true, metadata: 'oops' },
    });
  });

  it('keeps extra top-level keys, lets metadata win a clash and drops __proto__', () => {
    const line = `{"event_type":"info","timestamp":"2026-02-16T09:15:00","session_id":"s","message":"m","host":"ci-3","run":1,"metadata":{"run":2,"__proto__":{"polluted":true},"nested":{"constructor":{"x":1},"ok":true}}}\n`;
    const [r] = runLineAdapter(agentEventsAdapter, line);
    expect(r?.result.ok && r.result.events[0]?.attrs).toEqual({
      host: 'ci-3',
      run: 2,
      nested: { ok: true },
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    [{ result: 'PASSED' }, 'success'],
    [{ decision: 'block' }, 'blocked'],
    [{ outcome: 'warning' }, 'warned'],
    [{ passed: false }, 'blocked'],
    [{ result: 'maybe' }, null],
    [{}, null],
  ])('gate_evaluated with %j has status %s', (metadata, status) => {
    expect(parseOne({ ...base, event_type: 'gate_evaluated', metadata }).status).toBe(status);
  });

  it.each([
    [{ exit_code: 0 }, 'success'],
    [{ exit_code: '0' }, 'success'],
    [{ return_code: 127 }, 'failure'],
    [{ returncode: -9 }, 'failure'],
    [{ exit_code: 'n/a' }, null],
    [{}, null],
  ])('command_executed with %j has status %s', (metadata, status) => {
    expect(parseOne({ ...base, event_type: 'command_executed', metadata }).status).toBe(status);
  });

  it('ignores usage figures that are not safe non-negative integers', () => {
    const event = parseOne({
      ...base,
      event_type: 'llm_response_received',
      metadata: { prompt_tokens: -1, completion_tokens: 1e300, cost_usd: 'free' },
    });
    expect([event.tokensIn, event.tokensOut, event.costUsd]).toEqual([null, null, null]);
  });
});

describe('agent-events adapter: rejects', () => {
  const results = runLineAdapter(agentEventsAdapter, readFileSync(badLines, 'utf8'), badLines);

  it.each([
    [1, 'schema', 'session_id: required field is missing'],
    [2, 'schema', 'message: required field is missing'],
    [3, 'schema', 'event_type: required field is missing'],
    [4, 'schema', 'timestamp: required field is missing'],
    [5, 'schema', 'event_type: expected a string such as task_started'],
    [6, 'schema', 'timestamp: expected an ISO-8601 date-time such as 2026-02-16T09:14:02.118342'],
    [7, 'schema', 'session_id: must not be empty'],
    [8, 'schema', 'message: expected a string'],
    [9, 'schema', 'event_type: required field is missing'],
    [10, 'invalid_json', 'invalid JSON'],
    [11, 'not_an_object', 'expected a JSON object'],
  ])('line %i is rejected as %s: %s', (line, reason, message) => {
    const r = results.find((x) => x.line === line)?.result;
    expect(r?.ok).toBe(false);
    if (r?.ok !== false) return;
    expect(r.reject.reason).toBe(reason);
    expect(r.reject.message).toContain(message);
    if (reason === 'schema')
      expect(r.reject.message.startsWith(`${r.reject.field ?? '?'}: `)).toBe(true);
  });

  it('covers every line of the bad-lines fixture', () => {
    expect(results).toHaveLength(11);
    expect(results.every((x) => !x.result.ok)).toBe(true);
  });
});

describe('agent-events adapter: derived ids', () => {
  const line = JSON.stringify({ ...base, event_type: 'warning' });
  const where = {
    file: '/w/workspaces/s/events.jsonl',
    logicalPath: '/w/workspaces/s/events.jsonl',
    line: 3,
    offset: 120,
  };
  const idOf = (at: typeof where, text = line): string | undefined => {
    const r = parseLineText(agentEventsAdapter, text, at);
    return r.ok ? r.events[0]?.id : undefined;
  };

  it('gives the same id for the same text at the same offset, also from a rotated copy', () => {
    expect(idOf(where)).toBeDefined();
    expect(idOf(where)).toBe(idOf({ ...where }));
    expect(idOf({ ...where, file: `${where.file}.1` })).toBe(idOf(where));
  });

  it('gives a different id at a different offset or for different text', () => {
    expect(idOf({ ...where, offset: 121 })).not.toBe(idOf(where));
    expect(idOf(where, line.replace('"m"', '"n"'))).not.toBe(idOf(where));
  });

  it('is stable across re-reads of the fixture', () => {
    const ids = (): (string | undefined)[] =>
      runLineAdapter(agentEventsAdapter, readFileSync(sessionA, 'utf8'), sessionA).map(
        ({ result }) => (result.ok ? result.events[0]?.id : undefined),
      );
    expect(ids()).not.toContain(undefined);
    expect(ids()).toEqual(ids());
  });
});

describe('agent-events adapter: detect', () => {
  const head = readFileSync(sessionA, 'utf8').slice(0, 4096);

  it('is confident for workspaces/{session_id}/events.jsonl and for Event.to_dict lines', () => {
    expect(agentEventsAdapter.detect(sessionA, head)).toBe(0.95);
    expect(agentEventsAdapter.detect('/srv/vf/workspaces/sess_x/events.jsonl.1', '')).toBe(0.9);
    expect(agentEventsAdapter.detect('/tmp/copy.jsonl', head)).toBe(0.8);
    expect(agentEventsAdapter.detect('/tmp/copy.jsonl', `\uFEFF${head}`)).toBe(0.8);
    const long = `{"event_type": "info", "session_id": "s", "message": "${'x'.repeat(5000)}`;
    expect(agentEventsAdapter.detect('/tmp/copy.jsonl', long.slice(0, 4096))).toBe(0.8);
  });

  it('scores 0 for WFC lines, KPI lines, token logs and other files', () => {
    const wfc = '{"event": "task_complete", "data": {"task_id": "TASK-001"}}\n';
    expect(agentEventsAdapter.detect(sessionA, wfc)).toBe(0);
    expect(agentEventsAdapter.detect('/x/telemetry.jsonl', wfc)).toBe(0);
    const kpi =
      '{"event_id": "550e8400-e29b-41d4-a716-446655440001", "event_type": "task_start", "timestamp": "2026-02-16T14:30:00Z", "task_id": "t"}\n';
    expect(agentEventsAdapter.detect('/repo/.droid/kpis.jsonl', kpi)).toBe(0);
    const tokens =
      '{"timestamp": "2026-02-16T14:30:12.482913", "model": "m", "input_tokens": 1, "output_tokens": 2}\n';
    expect(agentEventsAdapter.detect('/x/.droid_token_usage.jsonl', tokens)).toBe(0);
    expect(agentEventsAdapter.detect('/x/workspaces/events.jsonl', '')).toBe(0);
    expect(agentEventsAdapter.detect(sessionA, '{"foo": 1}\n')).toBeLessThan(0.5);
  });
});
