import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runLineAdapter } from '../parse-line.js';
import { kpiAdapter } from './index.js';

const fixture = join(import.meta.dirname, '../../../test/fixtures/kpi/kpis.jsonl');

describe('kpi adapter', () => {
  it('parses the seed 003 examples into canonical events', () => {
    const results = runLineAdapter(kpiAdapter, readFileSync(fixture, 'utf8'), fixture);
    const first = results[0]?.result;
    expect(first?.ok).toBe(true);
    if (!first?.ok) return;
    expect(first.events[0]).toMatchObject({
      id: '550e8400-e29b-41d4-a716-446655440001',
      type: 'task_start',
      kind: 'task',
      status: 'started',
      ts: Date.parse('2026-02-16T14:30:00Z'),
      taskId: 'task_abc123',
      sessionId: 'sess_xyz',
      model: 'gpt-5.3-codex',
      source: { adapter: 'kpi', line: 1, offset: 0 },
    });
    const end = results[1]?.result;
    expect(end?.ok && end.events[0]).toMatchObject({
      type: 'task_end',
      status: 'success',
      tokensIn: 1500,
      tokensOut: 800,
      durationMs: 150_000,
    });
  });

  it.each([
    [
      '{"event_type":"task_start","timestamp":"2026-02-16T14:30:00Z","task_id":"t"}',
      'schema',
      'event_id: required field is missing',
    ],
    [
      '{"event_id":"not-a-uuid","event_type":"task_start","timestamp":"2026-02-16T14:30:00Z","task_id":"t"}',
      'schema',
      'event_id: expected a UUID',
    ],
    [
      '{"event_id":"550e8400-e29b-41d4-a716-446655440009","event_type":"task_paused","timestamp":"2026-02-16T14:30:00Z","task_id":"t"}',
      'unknown_type',
      'event_type: expected one of',
    ],
    [
      '{"event_id":"550e8400-e29b-41d4-a716-446655440009","event_type":"task_end","timestamp":"yesterday","task_id":"t"}',
      'schema',
      'timestamp: expected an ISO-8601',
    ],
    [
      '{"event_id":"550e8400-e29b-41d4-a716-446655440009","event_type":"task_end","timestamp":"2026-02-16T14:30:00Z","task_id":"t","status":"ok"}',
      'schema',
      'status: expected one of success, failure, timeout',
    ],
    [
      '{"event_id":"550e8400-e29b-41d4-a716-446655440009","event_type":"task_end","timestamp":"2026-02-16T14:30:00Z","task_id":"t","tokens_input":1.5}',
      'schema',
      'tokens_input: expected an integer',
    ],
    ['{"event_id": "550e8400', 'invalid_json', 'invalid JSON'],
    ['[1,2]', 'not_an_object', 'expected a JSON object'],
  ])('rejects %s as %s', (line, reason, message) => {
    const [r] = runLineAdapter(kpiAdapter, `${line}\n`);
    expect(r?.result.ok).toBe(false);
    if (r?.result.ok !== false) return;
    expect(r.result.reject.reason).toBe(reason);
    expect(r.result.reject.message).toContain(message);
  });

  it('keeps unknown properties as attributes and drops __proto__', () => {
    const [r] = runLineAdapter(
      kpiAdapter,
      '{"event_id":"550e8400-e29b-41d4-a716-446655440009","event_type":"error","timestamp":"2026-02-16T14:30:00+02:00","task_id":"t","error_message":"boom","retry":2,"__proto__":{"polluted":true}}\n',
    );
    expect(r?.result.ok).toBe(true);
    if (!r?.result.ok) return;
    const event = r.result.events[0];
    expect(event?.attrs).toEqual({ retry: 2 });
    expect(event?.ts).toBe(Date.parse('2026-02-16T12:30:00Z'));
    expect(event?.status).toBe('failure');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('detects KPI files by path and by content', () => {
    expect(kpiAdapter.detect('/repo/.droid/kpis.jsonl', '')).toBeGreaterThan(0.5);
    expect(
      kpiAdapter.detect('/x/other.jsonl', '{"event_id":"a","event_type":"task_start"}\n'),
    ).toBeGreaterThan(0.5);
    expect(kpiAdapter.detect('/x/other.jsonl', '{"foo":1}\n')).toBe(0);
  });
});
