import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { runLineAdapter } from '../parse-line.js';
import { wfcWorkflowAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wfc/memory');
const fixture = join(dir, 'workflow_metrics.jsonl');
const bad = join(dir, 'workflow_metrics-bad.jsonl');

function parseFixture() {
  return runLineAdapter(wfcWorkflowAdapter, readFileSync(fixture, 'utf8'), fixture).map(
    ({ result }) => {
      if (!result.ok) throw new Error(`unexpected reject: ${result.reject.message}`);
      const [event] = result.events;
      if (!event || result.events.length !== 1) throw new Error('expected one event per line');
      return event;
    },
  );
}

describe('wfc-workflow adapter', () => {
  it('parses every fixture line into a valid resource event without token columns', () => {
    const events = parseFixture();
    expect(events).toHaveLength(12);
    for (const event of events) {
      expect(VigilEvent.safeParse(event).success).toBe(true);
      expect(event).toMatchObject({
        type: 'workflow_metrics',
        kind: 'resource',
        tokensIn: null,
        tokensOut: null,
        tokensCacheRead: null,
        tokensCacheWrite: null,
      });
    }
    expect(events.map((e) => e.status)).toEqual([
      'success',
      'success',
      'failure',
      'success',
      'success',
      'success',
      'failure',
      'success',
      'success',
      'failure',
      'success',
      'success',
    ]);
  });

  it('keeps tokens, phases and quality in attrs', () => {
    const event = parseFixture()[4];
    expect(event).toMatchObject({
      ts: Date.parse('2026-02-16T14:33:17.081Z'),
      taskId: 'TASK-001',
      sessionId: null,
      durationMs: 184_600,
      source: { adapter: 'wfc-workflow', file: fixture, line: 5 },
    });
    expect(event?.attrs).toEqual({
      complexity: 'S',
      tokens_input: 12_840,
      tokens_output: 3215,
      tokens_total: 16_055,
      phase_durations: {
        understand: 15_200,
        test_first: 38_900,
        implement: 88_100,
        refactor: 19_400,
        quality_check: 16_600,
        submit: 6400,
      },
      quality_issues_found: 1,
      test_failures: 0,
      confidence_score: 90,
      retry_count: 0,
      rolled_back: false,
    });
    expect(parseFixture()[11]?.attrs).toMatchObject({ coverage_percent: 93.4 });
  });

  it('leaves status null when success is absent and drops __proto__', () => {
    const [r] = runLineAdapter(
      wfcWorkflowAdapter,
      '{"timestamp":"2026-02-17T09:00:00","task_id":"T","__proto__":{"polluted":1}}\n',
    );
    expect(r?.result.ok && r.result.events[0]).toMatchObject({ status: null, attrs: {} });
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('rejects each bad fixture line with a message naming the field', () => {
    const results = runLineAdapter(wfcWorkflowAdapter, readFileSync(bad, 'utf8'), bad);
    expect(
      results.map(({ line, result }) =>
        result.ok ? [line, 'ok'] : [line, result.reject.reason, result.reject.message],
      ),
    ).toEqual([
      [1, 'schema', 'task_id: required field is missing'],
      [2, 'schema', 'success: expected true or false'],
      [3, 'schema', 'tokens_output: expected a non-negative integer'],
      [4, 'schema', 'duration_ms: expected a non-negative number of milliseconds'],
      [5, 'schema', 'phase_durations.implement: expected a non-negative number of milliseconds'],
      [6, 'schema', 'confidence_score: expected a number from 0 to 100'],
      [7, 'schema', 'timestamp: expected an ISO-8601 date-time such as 2026-02-16T14:30:00'],
      [8, 'schema', 'complexity: expected one of S, M, L, XL'],
      [9, 'ok'],
    ]);
  });

  it('detects workflow metrics by path and by content, not other workflow_metrics files', () => {
    const head = readFileSync(fixture, 'utf8').slice(0, 4096);
    expect(wfcWorkflowAdapter.detect('/home/u/.wfc/memory/workflow_metrics.jsonl', '')).toBe(0.95);
    expect(wfcWorkflowAdapter.detect('/opt/wfc/wfc/memory/workflow_metrics.jsonl', '')).toBe(0.95);
    expect(wfcWorkflowAdapter.detect('/backup/workflow_metrics.jsonl', head)).toBe(0.85);
    expect(wfcWorkflowAdapter.detect('/backup/metrics.jsonl', head)).toBe(0.5);
    // SuperClaude's docs/memory/workflow_metrics.jsonl: same name, different fields.
    const other =
      '{"timestamp":"2025-10-17T01:54:21+09:00","task_type":"typo_fix","workflow":"minimal_v2","tokens":450,"time_ms":1800,"success":true}\n';
    expect(wfcWorkflowAdapter.detect('/repo/docs/memory/workflow_metrics.jsonl', other)).toBe(0);
    // An AutoTelemetry session line is not a workflow metric.
    const session =
      '{"task_id": "TASK-001", "complexity": "S", "status": "success", "success": true, "tokens_input": 1}\n';
    expect(wfcWorkflowAdapter.detect('/backup/workflow_metrics.jsonl', session)).toBe(0);
  });
});
