import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { VigilEvent } from '../../core/event.js';
import { runLineAdapter } from '../parse-line.js';
import { wvoAnalyticsAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wvo');
const tasksFile = join(dir, 'state/analytics/task_events.jsonl');
const gatesFile = join(dir, 'state/analytics/quality_gate_decisions.jsonl');

function events(file: string): VigilEvent[] {
  return runLineAdapter(wvoAnalyticsAdapter, readFileSync(file, 'utf8'), file).flatMap((r) => {
    expect(r.result.ok, `line ${r.line}`).toBe(true);
    return r.result.ok ? [...r.result.events] : [];
  });
}

describe('wvo-analytics adapter', () => {
  it('maps task records with exact values and the state → status table', () => {
    const all = events(tasksFile);
    expect(all).toHaveLength(8);
    expect(all.map((e) => e.status)).toEqual([
      null,
      'started',
      'retrying',
      'failure',
      'success',
      'success',
      'started',
      'failure',
    ]);
    expect(all[4]).toMatchObject({
      type: 'wvo_task',
      kind: 'task',
      ts: Date.parse('2026-02-16T09:31:05Z'),
      taskId: 'T6.2.1',
      model: 'claude-sonnet-4.5',
      agentRole: 'worker-2',
      status: 'success',
      tokensIn: 9120,
      tokensOut: 1388,
      tokensCacheRead: 15200,
      tokensCacheWrite: null,
      costUsd: 0.052,
      durationMs: 980_000,
      message: null,
      source: { adapter: 'wvo-analytics', file: tasksFile, line: 5 },
      attrs: {
        state: 'done',
        roadmap_id: 'PHASE-8',
        epic_id: 'E6',
        title: null,
        attempt: 2,
        domain: 'orchestrator',
      },
    });
    expect(all[0]?.attrs).toMatchObject({
      state: 'queued',
      title: 'Persist resolution loop attempts',
    });
    expect(all[2]?.message).toBe('vitest: 2 failing tests in resolution_metrics_store.test.ts');
  });

  it('maps quality-gate decisions', () => {
    const gate = events(tasksFile)[3];
    expect(gate).toMatchObject({
      id: 'qg-0192',
      type: 'quality_gate_decision',
      kind: 'gate',
      status: 'failure',
      taskId: 'T6.2.1',
      message: '2 failing tests',
      tokensIn: null,
      attrs: {
        gate: 'tests',
        decision: 'rejected',
        consensus_score: 0.33,
        quorum_satisfied: true,
        rubric_scores: { correctness: 2.5, coverage: 3, style: 4 },
        reviewers: ['critic-a', 'critic-b', 'critic-c'],
        roadmap_id: null,
        epic_id: null,
      },
    });
  });

  it('infers record: quality_gate from a quality_gate*.jsonl file name', () => {
    const [security, review] = events(gatesFile);
    expect(security).toMatchObject({
      type: 'quality_gate_decision',
      status: 'failure',
      attrs: { gate: 'security', consensus_score: 0.5 },
    });
    expect(review).toMatchObject({
      status: 'success',
      attrs: { decision: 'approved', rubric_scores: { readability: 4, design: 3.5 } },
    });
  });

  it('derives stable ids: re-reading yields the same ids, different lines differ', () => {
    const a = events(tasksFile).map((e) => e.id);
    const b = events(tasksFile).map((e) => e.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    expect(a[0]).toMatch(/^wvo-analytics:[0-9a-f]{24}$/);
  });

  it('rejects bad records naming the field', () => {
    const file = join(dir, 'bad/task_events.jsonl');
    const rejects = runLineAdapter(wvoAnalyticsAdapter, readFileSync(file, 'utf8'), file).map(
      (r) => (r.result.ok ? null : [r.result.reject.reason, r.result.reject.message]),
    );
    expect(rejects).toEqual([
      ['schema', 'record: required field is missing; set it to one of task, quality_gate'],
      ['schema', 'task_id: required field is missing'],
      ['schema', 'state: expected one of queued, running, done, failed, retrying'],
      [
        'schema',
        'timestamp: expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch milliseconds',
      ],
      ['schema', 'tokens_in: must not be negative'],
      ['schema', 'decision: expected one of approved, rejected'],
      ['schema', 'consensus_score: expected a number between 0 and 1'],
      ['unknown_type', 'record: expected one of task, quality_gate'],
    ]);
  });

  it('detects by path, then by content', () => {
    expect(wvoAnalyticsAdapter.detect('/w/state/analytics/task_events.jsonl', '')).toBe(0.9);
    expect(wvoAnalyticsAdapter.detect('/x/a.jsonl', '{"record":"task","task_id":"T1"}\n')).toBe(
      0.7,
    );
    expect(wvoAnalyticsAdapter.detect('/x/a.jsonl', '{"record":"operation"}\n')).toBe(0);
    expect(wvoAnalyticsAdapter.detect('/w/state/analytics/resolution_metrics.json', '{}')).toBe(0);
  });
});
