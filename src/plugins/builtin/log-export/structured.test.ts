import { describe, expect, it } from 'vitest';

import { pluginEvent } from '../../../../test/plugins/builtin/context.js';
import { bypassEvents, reviewEvents } from '../../../../test/plugins/builtin/wfc-fixtures.js';
import { matchesFilters, recordLevel, toStructuredRecord } from './structured.js';

describe('toStructuredRecord', () => {
  it("maps a WFC review report onto seed 000's record, in its order, with its values", () => {
    const [complete] = reviewEvents('TASK-001');
    const record = toStructuredRecord(complete!, { sourcePrefix: 'wfc' });
    // Seed 000's example record, field for field (our review of TASK-001 has 3 findings too).
    expect(Object.keys(record).slice(0, 11)).toEqual([
      'timestamp',
      'level',
      'source',
      'event_type',
      'task_id',
      'consensus_score',
      'tier',
      'passed',
      'findings_count',
      'mpr_applied',
      'reviewers',
    ]);
    expect(record).toMatchObject({
      timestamp: '2026-02-17T14:30:00.000Z',
      level: 'INFO',
      source: 'wfc.review',
      event_type: 'review_complete',
      task_id: 'TASK-001',
      consensus_score: 5.42,
      tier: 'moderate',
      passed: true,
      mpr_applied: false,
      reviewers: ['security', 'correctness', 'performance', 'maintainability', 'reliability'],
      kind: 'review',
      event_id: complete!.event_id,
      seq: complete!.seq,
    });
    expect(record['findings_count']).toBeGreaterThan(0);
    expect(Object.values(record)).not.toContain(null);
    expect(record).not.toHaveProperty('attrs');
  });

  it('makes a blocked review WARN and says passed: false', () => {
    const [complete] = reviewEvents('TASK-003');
    const record = toStructuredRecord(complete!);
    expect(record).toMatchObject({
      level: 'WARN',
      source: 'vigil.review',
      passed: false,
      consensus_score: 7.8,
      tier: 'important',
      status: 'blocked',
    });
  });

  it('maps findings and bypasses with their own fields', () => {
    const finding = reviewEvents('TASK-003').find((e) => e.event_type === 'review_finding');
    expect(toStructuredRecord(finding!)).toMatchObject({
      event_type: 'review_finding',
      file: expect.any(String),
      line_start: expect.any(Number),
      severity: expect.any(Number),
      severity_tier: expect.any(String),
      reviewer: expect.any(String),
    });
    const [bypass] = bypassEvents();
    expect(toStructuredRecord(bypass!)).toMatchObject({
      level: 'WARN',
      event_type: 'bypass_activated',
      task_id: 'TASK-003',
      bypass_id: 'BP-2026-0001',
      by: 'alice@example.com',
      cs_at_bypass: 7.8,
      tier: 'important',
      expires_at: '2026-02-20T16:55:00.000Z',
      revoked: false,
    });
  });

  it('gives tasks status, model, duration, tokens and cost, and leaves nulls out', () => {
    const record = toStructuredRecord(
      pluginEvent({
        event_type: 'task_end',
        task_id: 'T-9',
        status: 'failure',
        model: 'gpt-5',
        duration_seconds: 150,
        tokens_input: 1500,
        tokens_output: 800,
        cost_usd: 0.01,
        session_id: 's-1',
        agent_role: 'coder',
        error_message: 'tests failed',
      }),
    );
    expect(record).toMatchObject({
      level: 'WARN',
      source: 'vigil.task',
      event_type: 'task_end',
      task_id: 'T-9',
      status: 'failure',
      model: 'gpt-5',
      duration_seconds: 150,
      tokens: 2300,
      tokens_input: 1500,
      tokens_output: 800,
      cost_usd: 0.01,
      session_id: 's-1',
      agent_role: 'coder',
      message: 'tests failed',
    });
    expect(record).not.toHaveProperty('tokens_cache_read');
    expect(record).not.toHaveProperty('phase');
    const bare = toStructuredRecord(pluginEvent({ task_id: null, status: null }));
    expect(bare).not.toHaveProperty('task_id');
    expect(bare).not.toHaveProperty('tokens');
  });

  it('adds attrs only when asked', () => {
    const e = pluginEvent({ attrs: { complexity: 'M' } });
    expect(toStructuredRecord(e)).not.toHaveProperty('attrs');
    expect(toStructuredRecord(e, { includeAttrs: true })['attrs']).toEqual({ complexity: 'M' });
  });
});

describe('recordLevel', () => {
  it.each([
    [{ event_type: 'error', kind: 'log', status: 'failure' }, 'ERROR'],
    [{ event_type: 'something_broke', kind: 'log', status: 'failure' }, 'ERROR'],
    [{ event_type: 'task_end', kind: 'task', status: 'failure' }, 'WARN'],
    [{ event_type: 'task_end', kind: 'task', status: 'timeout' }, 'WARN'],
    [{ event_type: 'gate_blocked', kind: 'gate', status: 'blocked' }, 'WARN'],
    [{ event_type: 'hook_warning', kind: 'workflow', status: 'warned' }, 'WARN'],
    [{ event_type: 'bypass_revoked', kind: 'bypass', status: 'cancelled' }, 'WARN'],
    [{ event_type: 'task_end', kind: 'task', status: 'success' }, 'INFO'],
    [{ event_type: 'task_skipped', kind: 'task', status: 'skipped' }, 'INFO'],
    [{ event_type: 'info', kind: 'log', status: null }, 'INFO'],
  ])('%o is %s', (event, level) => {
    expect(recordLevel(event)).toBe(level);
  });
});

describe('matchesFilters', () => {
  it('passes everything without filters, else a listed type or a listed kind', () => {
    const review = { event_type: 'review_complete', kind: 'review' };
    const error = { event_type: 'error', kind: 'log' };
    expect(matchesFilters(review, {})).toBe(true);
    expect(matchesFilters(review, { include_kinds: ['review'] })).toBe(true);
    expect(matchesFilters(error, { include_kinds: ['review'] })).toBe(false);
    expect(matchesFilters(error, { include_kinds: ['review'], include_types: ['error'] })).toBe(
      true,
    );
    expect(matchesFilters(review, { include_types: [] })).toBe(false);
  });
});
