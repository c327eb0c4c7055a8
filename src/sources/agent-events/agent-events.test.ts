import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { runLineAdapter } from '../parse-line.js';
import { agentEventsAdapter } from './index.js';

const root = join(import.meta.dirname, '../../../test/fixtures/vibeforge');
const sessionA = join(root, 'workspaces/sess_20260216_a1/events.jsonl');
const sessionB = join(root, 'workspaces/sess_20260216_b7/events.jsonl');

function eventsOf(file: string, content = readFileSync(file, 'utf8')): VigilEvent[] {
  return runLineAdapter(agentEventsAdapter, content, file).flatMap(({ line, result }) => {
    if (!result.ok) throw new Error(`${file}:${line}: ${result.reject.message}`);
    return [...result.events];
  });
}

describe('agent-events adapter: session sess_20260216_a1', () => {
  const events = eventsOf(sessionA);

  it('ingests every line as a valid canonical event with a unique id', () => {
    expect(events).toHaveLength(61);
    for (const event of events) expect(VigilEvent.safeParse(event).success).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(61);
  });

  it('reads the naive microsecond timestamp as UTC and maps the session start', () => {
    expect(events[0]).toMatchObject({
      type: 'session_started',
      kind: 'session',
      status: 'started',
      ts: Date.UTC(2026, 1, 16, 9, 14, 2, 118),
      sessionId: 'sess_20260216_a1',
      phase: 'IDEA',
      taskId: null,
      message: 'Session started',
      source: { adapter: 'agent-events', file: sessionA, line: 1, offset: 0 },
      attrs: {
        idea: 'CLI todo app with SQLite storage and due dates',
        workspace: 'workspaces/sess_20260216_a1',
      },
    });
    expect(events[0]?.id).toMatch(/^agent-events:[0-9a-f]{24}$/);
  });

  it('parses a timestamp Python wrote without microseconds and decodes \\u2192', () => {
    const toVerification = events[53];
    expect(toVerification).toMatchObject({
      type: 'phase_transition',
      kind: 'phase',
      status: null,
      ts: Date.UTC(2026, 1, 16, 9, 20, 0, 0),
      phase: 'VERIFICATION',
      message: 'Phase transition: EXECUTION → VERIFICATION',
    });
  });

  it('counts usage on llm_response_received only: task_002 made two calls', () => {
    const task2 = events.filter((e) => e.taskId === 'task_002');
    const sum = (pick: (e: VigilEvent) => number | null) =>
      task2.reduce((acc, e) => acc + (pick(e) ?? 0), 0);
    expect(sum((e) => e.tokensIn)).toBe(4102 + 5733);
    expect(sum((e) => e.tokensOut)).toBe(2455 + 981);
    expect(sum((e) => e.costUsd)).toBeCloseTo(0.029871 + 0.017246, 9);
    const withTokens = task2.filter((e) => e.tokensIn !== null).map((e) => e.type);
    expect(withTokens).toEqual(['llm_response_received', 'llm_response_received']);
    const requests = task2.filter((e) => e.type === 'llm_request_sent');
    expect(requests.map((e) => [e.kind, e.status, e.tokensIn, e.attrs['prompt_tokens']])).toEqual([
      ['llm_call', 'started', null, 4010],
      ['llm_call', 'started', null, 5620],
    ]);
  });

  it('never counts the session totals again: the sum equals the responses', () => {
    const tokensIn = events.reduce((acc, e) => acc + (e.tokensIn ?? 0), 0);
    const tokensOut = events.reduce((acc, e) => acc + (e.tokensOut ?? 0), 0);
    const completed = events.at(-1);
    expect(completed?.type).toBe('session_completed');
    expect(completed?.tokensIn).toBeNull();
    expect(tokensIn).toBe(completed?.attrs['prompt_tokens']);
    expect(tokensOut).toBe(completed?.attrs['completion_tokens']);
    expect(events.find((e) => e.type === 'agent_response')?.tokensIn).toBeNull();
  });

  it('maps a planner response with model, role, latency and cost', () => {
    expect(events[7]).toMatchObject({
      type: 'llm_response_received',
      kind: 'llm_call',
      status: 'success',
      model: 'claude-sonnet-4-5',
      agentRole: 'planner',
      tokensIn: 2187,
      tokensOut: 1310,
      durationMs: 18422,
      costUsd: 0.026211,
      attrs: { total_tokens: 3497 },
    });
  });

  it('takes gate and command status from metadata', () => {
    const gates = events.filter((e) => e.type === 'gate_evaluated');
    expect(gates.map((e) => [e.taskId, e.kind, e.status])).toEqual([
      ['task_001', 'gate', 'success'],
      ['task_002', 'gate', 'warned'],
      ['task_003', 'gate', 'blocked'],
    ]);
    expect(events.find((e) => e.type === 'gate_blocked')?.status).toBe('blocked');
    const commands = events.filter((e) => e.type === 'command_executed');
    expect(commands.map((e) => [e.taskId, e.status, e.durationMs])).toEqual([
      ['task_001', 'success', 2311],
      ['task_002', 'failure', 3804],
      ['task_002', 'success', 3611],
      [null, 'success', 1204],
      [null, 'success', 4021],
    ]);
  });

  it('maps the task lifecycle from the catalogue', () => {
    const lifecycle = events
      .filter((e) => e.kind === 'task' && e.type !== 'task_scheduled')
      .map((e) => [e.type, e.taskId, e.status]);
    expect(lifecycle).toEqual([
      ['task_started', 'task_001', 'started'],
      ['task_completed', 'task_001', 'success'],
      ['task_started', 'task_002', 'started'],
      ['task_retrying', 'task_002', 'retrying'],
      ['task_completed', 'task_002', 'success'],
      ['task_started', 'task_003', 'started'],
      ['task_failed', 'task_003', 'failure'],
      ['task_skipped', 'task_004', 'skipped'],
    ]);
    expect(events.find((e) => e.type === 'task_completed')?.durationMs).toBe(27_260);
  });
});

describe('agent-events adapter: session sess_20260216_b7', () => {
  const events = eventsOf(sessionB);

  it('reads Anthropic usage names, cache tokens and a metadata event_id', () => {
    expect(events).toHaveLength(12);
    expect(events[4]).toMatchObject({
      id: 'evt_7f3c2a91',
      model: 'claude-haiku-4-5',
      tokensIn: 812,
      tokensOut: 1604,
      tokensCacheRead: 2048,
      tokensCacheWrite: 96,
      durationMs: 9834,
    });
    expect(events[3]?.tokensIn).toBeNull();
    expect(events[3]?.attrs['input_tokens']).toBe(2950);
  });

  it('maps returncode, diff_failed, verification_failed and session_failed', () => {
    expect(events.map((e) => e.status).slice(5)).toEqual([
      'failure',
      'started',
      'success',
      'failure',
      'failure',
      'failure',
      'failure',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'session_failed', kind: 'session' });
  });
});
