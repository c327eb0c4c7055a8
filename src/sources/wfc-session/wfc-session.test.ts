import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { runLineAdapter } from '../parse-line.js';
import { wfcSessionAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wfc/telemetry');
const fixture = join(dir, 'session-20260216-143012.jsonl');
const bad = join(dir, 'session-bad.jsonl');

function events(file: string) {
  return runLineAdapter(wfcSessionAdapter, readFileSync(file, 'utf8'), file).map(({ result }) => {
    if (!result.ok) throw new Error(`unexpected reject: ${result.reject.message}`);
    return result.events;
  });
}

describe('wfc-session adapter', () => {
  it('parses every fixture line into one valid task_metrics event', () => {
    const all = events(fixture);
    expect(all).toHaveLength(15);
    for (const list of all) {
      expect(list).toHaveLength(1);
      expect(VigilEvent.safeParse(list[0]).success).toBe(true);
    }
    const ids = new Set(all.map((list) => list[0]?.id));
    expect(ids.size).toBe(15);
  });

  it('maps a start line to status started with zero tokens', () => {
    const start = events(fixture)[0]?.[0];
    expect(start).toMatchObject({
      type: 'task_metrics',
      kind: 'task',
      status: 'started',
      ts: Date.parse('2026-02-16T14:30:12.483Z'),
      taskId: 'TASK-001',
      sessionId: 'session-20260216-143012',
      model: null,
      durationMs: null,
      tokensIn: 0,
      tokensOut: 0,
      tokensCacheRead: null,
      source: { adapter: 'wfc-session', file: fixture, line: 1, offset: 0 },
    });
  });

  it('maps a completion line: tokens and duration on the event, the rest in attrs', () => {
    const done = events(fixture)[1]?.[0];
    expect(done).toMatchObject({
      status: 'success',
      taskId: 'TASK-001',
      durationMs: 184_600,
      tokensIn: 12_840,
      tokensOut: 3215,
      message: null,
    });
    expect(done?.attrs).toEqual({
      complexity: 'S',
      thinking_budget_allocated: 5000,
      thinking_budget_used: 3120,
      thinking_truncated: false,
      thinking_mode: 'normal',
      retry_count: 0,
      max_retries: 4,
      debugging_time_min: null,
      root_cause_documented: null,
      bugs_fixed: 0,
      tokens_total: 16_055,
      tests_run: 14,
      tests_passed: 14,
      tests_failed: 0,
      coverage_percent: 91.5,
      review_score: 8.7,
      review_passed: true,
      properties: ['SAFETY'],
      properties_satisfied: { SAFETY: true },
    });
  });

  it('maps failed to failure and keeps the last in_progress line as started', () => {
    const all = events(fixture);
    expect(all[5]?.[0]).toMatchObject({
      taskId: 'TASK-003',
      status: 'failure',
      durationMs: 1_840_000,
      tokensIn: 131_552,
      tokensOut: 29_804,
      attrs: { complexity: 'L', tests_failed: 6, review_score: 4.2, thinking_truncated: true },
    });
    expect(all[14]?.[0]).toMatchObject({ taskId: 'TASK-008', status: 'started' });
  });

  it('reads the optional extensions and defaults a missing status to unknown', () => {
    const line =
      '{"task_id":"T-9","timestamp":"2026-02-16T10:00:00+01:00","session_id":"s-42","model":"claude-sonnet-4-5","tokens_input":10,"tokens_output":5,"tokens_cache_read":700,"tokens_cache_write":64,"__proto__":{"polluted":true},"extra":{"constructor":1,"k":"v"}}\n';
    const [r] = runLineAdapter(wfcSessionAdapter, line, '/tmp/x.jsonl');
    expect(r?.result.ok).toBe(true);
    if (!r?.result.ok) return;
    expect(r.result.events[0]).toMatchObject({
      ts: Date.parse('2026-02-16T09:00:00Z'),
      status: 'unknown',
      sessionId: 's-42',
      model: 'claude-sonnet-4-5',
      tokensCacheRead: 700,
      tokensCacheWrite: 64,
      attrs: { extra: { k: 'v' } },
    });
    expect(r.result.events[0]?.attrs).toEqual({ extra: { k: 'v' } });
    expect(Object.hasOwn(r.result.events[0]?.attrs ?? {}, '__proto__')).toBe(false);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('rejects each bad fixture line with a message naming the field', () => {
    const results = runLineAdapter(wfcSessionAdapter, readFileSync(bad, 'utf8'), bad);
    const summary = results.map(({ line, result }) =>
      result.ok ? [line, 'ok'] : [line, result.reject.reason, result.reject.message],
    );
    expect(summary).toEqual([
      [1, 'schema', 'timestamp: required field is missing'],
      [2, 'schema', 'tokens_input: expected a non-negative integer'],
      [3, 'schema', 'complexity: expected one of S, M, L, XL'],
      [4, 'schema', 'status: expected one of success, failed, failure, in_progress'],
      [5, 'schema', 'timestamp: expected an ISO-8601 date-time such as 2026-02-16T14:30:00'],
      [6, 'invalid_json', expect.stringContaining('invalid JSON')],
      [7, 'ok'],
      [8, 'schema', 'review_score: expected a number from 0 to 10'],
      [9, 'schema', 'task_id: must not be empty'],
      [10, 'schema', 'duration_seconds: expected a non-negative number of seconds'],
      [11, 'not_an_object', 'expected a JSON object on each line'],
    ]);
    const [first] = results;
    expect(first?.result.ok === false && first.result.reject.field).toBe('timestamp');
  });

  it('detects session files by path and by content', () => {
    const head = readFileSync(fixture, 'utf8').slice(0, 4096);
    expect(
      wfcSessionAdapter.detect('/home/u/.wfc/telemetry/session-20260216-143012.jsonl', ''),
    ).toBe(0.95);
    expect(
      wfcSessionAdapter.detect('/home/u/.wfc/telemetry/vigil/session-20260216-143012.jsonl', ''),
    ).toBe(0.95);
    expect(wfcSessionAdapter.detect('/backup/session-20260216-143012.jsonl', head)).toBe(0.85);
    expect(wfcSessionAdapter.detect('/backup/tasks.jsonl', head)).toBe(0.6);
    expect(wfcSessionAdapter.detect('/backup/session-1.jsonl', '{"event":"pr_created"}\n')).toBe(0);
    expect(wfcSessionAdapter.detect('/home/u/.wfc/telemetry/events.jsonl', '')).toBe(0);
    expect(
      wfcSessionAdapter.detect(
        '/repo/.droid/kpis.jsonl',
        '{"event_id":"a","event_type":"task_end","task_id":"t","complexity":"M","status":"success"}\n',
      ),
    ).toBe(0);
  });
});
