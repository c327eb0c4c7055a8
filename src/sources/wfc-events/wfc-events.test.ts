import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { runLineAdapter } from '../parse-line.js';
import { wfcEventsAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wfc/telemetry');
const fixture = join(dir, 'events.jsonl');
const bad = join(dir, 'events-bad.jsonl');

function parseFixture() {
  return runLineAdapter(wfcEventsAdapter, readFileSync(fixture, 'utf8'), fixture).map(
    ({ result }) => {
      if (!result.ok) throw new Error(`unexpected reject: ${result.reject.message}`);
      const [event] = result.events;
      if (!event || result.events.length !== 1) throw new Error('expected one event per line');
      return event;
    },
  );
}

const SEED_002_LINE =
  '{"event_type": "task_started", "timestamp": "2026-02-16T14:30:00.120331", "session_id": "sess-7f2e", "message": "Task T1 started", "phase": "execute", "task_id": "T1", "agent_role": "coder", "model": "gpt-4o", "metadata": {}}\n';

describe('wfc-events adapter', () => {
  it('parses every fixture line into a valid event', () => {
    const events = parseFixture();
    expect(events).toHaveLength(22);
    for (const event of events) expect(VigilEvent.safeParse(event).success).toBe(true);
    expect(events.map((e) => `${e.type}:${e.kind}:${e.status}`)).toEqual([
      'hook_warning:workflow:warned',
      'commit_with_task:log:null',
      'review_complete:review:success',
      'knowledge_updated:knowledge:null',
      'pr_created:workflow:success',
      'hook_warning:workflow:warned',
      'review_complete:review:success',
      'merge_complete:workflow:success',
      'review_complete:review:blocked',
      'drift_detected:knowledge:warned',
      'workflow_violation:workflow:blocked',
      'task_complete:task:failure',
      'hook_warning:workflow:warned',
      'plan_complete:log:success',
      'review_complete:review:success',
      'drift_detected:knowledge:warned',
      'knowledge_updated:knowledge:null',
      'task_complete:task:success',
      'pr_created:workflow:failure',
      'review_complete:review:success',
      'implement_complete:log:null',
      'plan_error:log:failure',
    ]);
  });

  it('maps a flat review_complete (as log_event writes it)', () => {
    const review = parseFixture()[2];
    expect(review).toMatchObject({
      type: 'review_complete',
      kind: 'review',
      status: 'success',
      ts: Date.parse('2026-02-16T14:33:41.052Z'),
      taskId: 'TASK-001',
      sessionId: null,
      agentRole: null,
      tokensIn: null,
      source: { adapter: 'wfc-events', file: fixture, line: 3 },
    });
    expect(review?.attrs).toEqual({
      cs: 2.85,
      tier: 'informational',
      findings_count: 2,
      mpr_applied: false,
      passed: true,
      reviewers: ['security', 'correctness', 'performance', 'maintainability', 'reliability'],
    });
    expect(review?.id).toMatch(/^wfc-events:[0-9a-f]{24}$/);
  });

  it('maps a nested (data) line, with session_id and reviewer as agent role', () => {
    const events = parseFixture();
    expect(events[14]).toMatchObject({
      type: 'review_complete',
      status: 'success', // no `passed`: tier informational passes
      taskId: 'TASK-005',
      sessionId: 'session-20260216-143012',
      attrs: { cs: 3.9, tier: 'informational', findings_count: 1, mpr_applied: false },
    });
    expect(events[15]).toMatchObject({
      type: 'drift_detected',
      kind: 'knowledge',
      status: 'warned',
      agentRole: 'security',
      attrs: { signals: ['contradictory'], recommendation: 'needs_review', drift_score: 1 },
    });
  });

  it('derives review status from passed, then tier, then CS < 7.0', () => {
    const events = parseFixture();
    expect(events[8]).toMatchObject({ taskId: 'TASK-003', status: 'blocked' });
    expect(events[19]).toMatchObject({ taskId: 'TASK-007', status: 'success', attrs: { cs: 1.2 } });
    const line = (cs: number) =>
      `{"event":"review_complete","timestamp":"2026-02-16T14:00:00","task_id":"T","cs":${cs}}\n`;
    const statusAt = (cs: number) => {
      const [r] = runLineAdapter(wfcEventsAdapter, line(cs));
      return r?.result.ok ? r.result.events[0]?.status : 'rejected';
    };
    expect([statusAt(6.99), statusAt(7), statusAt(9.5)]).toEqual(['success', 'blocked', 'blocked']);
    const [none] = runLineAdapter(
      wfcEventsAdapter,
      '{"event":"review_complete","timestamp":"2026-02-16T14:00:00","task_id":"T"}\n',
    );
    expect(none?.result.ok && none.result.events[0]?.status).toBe('unknown');
  });

  it('keeps message, error and payload extras; ingests unknown types as log', () => {
    const events = parseFixture();
    expect(events[1]).toMatchObject({
      type: 'commit_with_task',
      kind: 'log',
      taskId: 'TASK-001',
      message: 'TASK-001: Add rate limiting to API',
      attrs: { hook: 'commit-msg' },
    });
    expect(events[18]).toMatchObject({
      type: 'pr_created',
      status: 'failure',
      message: 'gh: authentication required',
      attrs: { pr_url: null, success: false, draft: true },
    });
    expect(events[20]?.attrs).toEqual({
      run_id: 'run-7f3a9c',
      result: { tasks_completed: 4, tasks_failed: 1, total_tokens: 612_204 },
    });
    expect(events[20]?.tokensIn).toBeNull();
  });

  it('drops __proto__ from flat and nested payloads', () => {
    const text =
      '{"event":"custom","timestamp":"2026-02-16T14:00:00Z","__proto__":{"polluted":1},"data":"value"}\n' +
      '{"event":"custom","timestamp":"2026-02-16T14:00:00Z","data":{"__proto__":{"polluted":1},"k":2},"extra":true}\n';
    const [flat, nested] = runLineAdapter(wfcEventsAdapter, text);
    expect(flat?.result.ok && flat.result.events[0]?.attrs).toEqual({ data: 'value' });
    expect(nested?.result.ok && nested.result.events[0]?.attrs).toEqual({ k: 2, extra: true });
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('rejects each bad fixture line with a message naming the field', () => {
    const results = runLineAdapter(wfcEventsAdapter, readFileSync(bad, 'utf8'), bad);
    expect(
      results.map(({ line, result }) =>
        result.ok ? [line, 'ok'] : [line, result.reject.reason, result.reject.message],
      ),
    ).toEqual([
      [1, 'schema', 'event: required field is missing'],
      [2, 'schema', 'timestamp: required field is missing'],
      [3, 'schema', 'event: must not be empty'],
      [4, 'schema', 'cs: expected a number from 0 to 10'],
      [5, 'schema', 'data.findings_count: expected a non-negative integer'],
      [6, 'schema', 'data.drift_score: expected a number from 0 to 1'],
      [7, 'schema', 'entries_added: expected a non-negative integer'],
      [8, 'schema', 'tier: expected one of informational, moderate, important, critical'],
      [9, 'schema', 'success: expected true or false'],
      [10, 'schema', 'event: required field is missing'],
      [11, 'schema', 'timestamp: expected an ISO-8601 date-time string'],
      [12, 'ok'],
      [13, 'schema', 'signals: expected an array'],
    ]);
  });

  it('scores WFC events.jsonl high and seed 002 events.jsonl 0', () => {
    const head = readFileSync(fixture, 'utf8').slice(0, 4096);
    const nested =
      '{"event": "review_complete", "timestamp": "2026-02-16T16:37:52", "data": {"cs": 3.9}}\n';
    expect(wfcEventsAdapter.detect('/home/u/.wfc/telemetry/events.jsonl', '')).toBe(0.95);
    expect(wfcEventsAdapter.detect('/home/u/.wfc/telemetry/acme/events.jsonl.1', head)).toBe(0.95);
    expect(wfcEventsAdapter.detect('/backup/events.jsonl', head)).toBe(0.7);
    expect(wfcEventsAdapter.detect('/backup/any.jsonl', nested)).toBe(0.85);
    expect(wfcEventsAdapter.detect('/backup/any.jsonl', head)).toBe(0.4);
    // Seed 002 writes workspaces/{session_id}/events.jsonl with event_type lines.
    expect(wfcEventsAdapter.detect('/srv/workspaces/sess-7f2e/events.jsonl', SEED_002_LINE)).toBe(
      0,
    );
    expect(wfcEventsAdapter.detect('/home/u/.wfc/telemetry/events.jsonl', SEED_002_LINE)).toBe(0);
    expect(wfcEventsAdapter.detect('/srv/workspaces/sess-7f2e/events.jsonl', '')).toBe(0);
    // A first line longer than the head: judged by its opening keys.
    const cut =
      '{"event": "implement_complete", "timestamp": "2026-02-16T17:03:00", "result": {"a": "';
    expect(wfcEventsAdapter.detect('/backup/events.jsonl', cut)).toBe(0.6);
    expect(wfcEventsAdapter.detect('/backup/events.jsonl', SEED_002_LINE.slice(0, 60))).toBe(0);
    expect(
      wfcEventsAdapter.detect(
        '/repo/.droid/kpis.jsonl',
        '{"event_id":"a","event_type":"task_end"}\n',
      ),
    ).toBe(0);
  });
});
