import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { parseLineText, runLineAdapter } from '../parse-line.js';
import { deriveId } from '../shared/fields.js';
import { tokenUsageAdapter } from './index.js';

const root = join(import.meta.dirname, '../../../test/fixtures/token-usage');
const fixture = join(root, '.droid_token_usage.jsonl');
const badLines = join(root, 'bad-lines.jsonl');

const events: VigilEvent[] = runLineAdapter(
  tokenUsageAdapter,
  readFileSync(fixture, 'utf8'),
  fixture,
).flatMap(({ line, result }) => {
  if (!result.ok) throw new Error(`line ${line}: ${result.reject.message}`);
  return [...result.events];
});

describe('token-usage adapter: fixture', () => {
  it('turns every line into one valid token_usage event', () => {
    expect(events).toHaveLength(20);
    for (const event of events) {
      expect(VigilEvent.safeParse(event).success).toBe(true);
      expect([event.type, event.kind, event.status]).toEqual([
        'token_usage',
        'llm_call',
        'success',
      ]);
    }
  });

  it('maps the first call exactly, reading the naive timestamp as UTC', () => {
    expect(events[0]).toEqual({
      id: deriveId('token-usage', 'req_01JMB8Q3K2'),
      type: 'token_usage',
      kind: 'llm_call',
      ts: Date.UTC(2026, 1, 16, 14, 30, 12, 482),
      sessionId: 'sess_xyz',
      taskId: 'task_abc123',
      phase: null,
      agentRole: null,
      model: 'gpt-5.3-codex',
      status: 'success',
      durationMs: 24117,
      tokensIn: 3412,
      tokensOut: 1876,
      tokensCacheRead: null,
      tokensCacheWrite: null,
      costUsd: 0.023084,
      message: null,
      source: { adapter: 'token-usage', file: fixture, line: 1, offset: 0 },
      attrs: { request_id: 'req_01JMB8Q3K2', operation: 'review' },
    });
  });

  it('reads cache tokens, null optionals, an explicit offset and extra fields', () => {
    expect(events[3]).toMatchObject({
      model: 'claude-sonnet-4-5',
      tokensCacheRead: 2048,
      tokensCacheWrite: 96,
    });
    expect(events[13]).toMatchObject({ taskId: null, costUsd: null, sessionId: 'sess_k2m' });
    expect(events[18]?.ts).toBe(Date.UTC(2026, 1, 16, 14, 42, 5, 118));
    expect(events[12]?.attrs).toEqual({
      request_id: 'req_01JMB94C0G',
      operation: 'review',
      provider: 'openai',
    });
  });

  it('accepts prompt_tokens/completion_tokens and duration_seconds from older writers', () => {
    expect(events[10]).toMatchObject({
      model: 'gpt-5.3-codex',
      tokensIn: 2210,
      tokensOut: 734,
      durationMs: 11_200,
      attrs: { total_tokens: 2944 },
    });
    expect(events[10]?.id).toMatch(/^token-usage:[0-9a-f]{24}$/);
  });

  it('gives a call logged twice one id, so it is counted once', () => {
    expect(events[5]?.id).toBe(events[6]?.id);
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.size).toBe(19);
    const totals = new Map<string, [number, number]>();
    for (const e of byId.values()) {
      const t = totals.get(e.model ?? '') ?? [0, 0];
      totals.set(e.model ?? '', [t[0] + (e.tokensIn ?? 0), t[1] + (e.tokensOut ?? 0)]);
    }
    expect(Object.fromEntries(totals)).toEqual({
      'gpt-5.3-codex': [23_755, 10_229],
      'swe-1-5': [4328, 1150],
      'claude-sonnet-4-5': [6452, 6146],
      'gemini-3-flash': [20_705, 2958],
    });
  });
});

describe('token-usage adapter: rejects', () => {
  const results = runLineAdapter(tokenUsageAdapter, readFileSync(badLines, 'utf8'), badLines);

  it('names the missing field exactly as the CLI reports it', () => {
    const r = results[0]?.result;
    expect(r).toEqual({
      ok: false,
      reject: {
        reason: 'schema',
        message: 'input_tokens: required field is missing',
        field: 'input_tokens',
      },
    });
  });

  it.each([
    [2, 'schema', 'model', 'model: required field is missing'],
    [3, 'schema', 'timestamp', 'timestamp: required field is missing'],
    [4, 'schema', 'output_tokens', 'output_tokens: required field is missing'],
    [5, 'schema', 'input_tokens', 'input_tokens: expected a non-negative integer'],
    [6, 'schema', 'prompt_tokens', 'prompt_tokens: expected a non-negative integer'],
    [
      7,
      'schema',
      'timestamp',
      'timestamp: expected an ISO-8601 date-time such as 2026-02-16T14:30:12.482913, or epoch seconds',
    ],
    [8, 'schema', 'model', 'model: must not be empty'],
    [9, 'schema', 'output_tokens', 'output_tokens: expected a non-negative integer'],
    [10, 'schema', 'cost_usd', 'cost_usd: expected a number of US dollars'],
    [11, 'schema', 'request_id', 'request_id: must not be empty'],
  ])('line %i is a %s reject on %s', (line, reason, field, message) => {
    const r = results.find((x) => x.line === line)?.result;
    expect(r).toEqual({ ok: false, reject: { reason, field, message } });
  });

  it.each([
    [12, 'invalid_json', 'invalid JSON'],
    [13, 'not_an_object', 'expected a JSON object'],
  ])('line %i is rejected as %s', (line, reason, message) => {
    const r = results.find((x) => x.line === line)?.result;
    expect(r?.ok === false && r.reject.reason).toBe(reason);
    expect(r?.ok === false && r.reject.message).toContain(message);
  });

  it('covers every line of the bad-lines fixture', () => {
    expect(results).toHaveLength(13);
    expect(results.every((x) => !x.result.ok)).toBe(true);
  });
});

describe('token-usage adapter: ids', () => {
  const where = {
    file: '/s/.droid_token_usage.jsonl',
    logicalPath: '/s/.droid_token_usage.jsonl',
    line: 1,
    offset: 0,
  };
  const noRequest =
    '{"timestamp": "2026-02-16T14:33:27.682913", "model": "swe-1-5", "prompt_tokens": 640, "completion_tokens": 91}';
  const withRequest =
    '{"timestamp": "2026-02-16T14:33:27.682913", "model": "swe-1-5", "input_tokens": 640, "output_tokens": 91, "request_id": "req_x"}';
  const idOf = (text: string, at = where): string | undefined => {
    const r = parseLineText(tokenUsageAdapter, text, at);
    return r.ok ? r.events[0]?.id : undefined;
  };

  it('derives a stable id from path, offset and text without a request_id', () => {
    expect(idOf(noRequest)).toMatch(/^token-usage:/);
    expect(idOf(noRequest)).toBe(idOf(noRequest, { ...where }));
    expect(idOf(noRequest, { ...where, offset: 512, line: 7 })).not.toBe(idOf(noRequest));
    expect(idOf(noRequest.replace('640', '641'))).not.toBe(idOf(noRequest));
  });

  it('derives the id from request_id alone when present', () => {
    const id = deriveId('token-usage', 'req_x');
    expect(idOf(withRequest)).toBe(id);
    expect(
      idOf(withRequest, {
        ...where,
        offset: 512,
        line: 7,
        file: '/other/copy.jsonl',
        logicalPath: '/other/copy.jsonl',
      }),
    ).toBe(id);
  });
});

describe('token-usage adapter: detect', () => {
  const head = readFileSync(fixture, 'utf8').slice(0, 4096);

  it('is confident for the droid token log and its rotated copies', () => {
    expect(tokenUsageAdapter.detect('/opt/fabrik/scripts/.droid_token_usage.jsonl', head)).toBe(
      0.95,
    );
    expect(tokenUsageAdapter.detect('/opt/fabrik/scripts/.droid_token_usage.jsonl.1', '')).toBe(
      0.95,
    );
    expect(
      tokenUsageAdapter.detect('/opt/fabrik/scripts/.droid_token_usage.jsonl-20260216', head),
    ).toBe(0.95);
    // A changed format at the known path is still ours, so its rejects are reported.
    expect(
      tokenUsageAdapter.detect('/opt/fabrik/scripts/.droid_token_usage.jsonl', '{"ts": 1}\n'),
    ).toBe(0.6);
  });

  it('recognises token-usage lines elsewhere and nothing else', () => {
    expect(tokenUsageAdapter.detect('/tmp/usage.jsonl', head)).toBe(0.7);
    const vibeforge =
      '{"event_type": "llm_response_received", "timestamp": "2026-02-16T09:15:40", "session_id": "s", "message": "m", "model": "x", "metadata": {"prompt_tokens": 1, "completion_tokens": 2}}\n';
    expect(tokenUsageAdapter.detect('/w/workspaces/s/events.jsonl', vibeforge)).toBe(0);
    const kpi =
      '{"event_id": "550e8400-e29b-41d4-a716-446655440001", "event_type": "task_end", "timestamp": "2026-02-16T14:32:30Z", "task_id": "t", "tokens_input": 1500, "tokens_output": 800}\n';
    expect(tokenUsageAdapter.detect('/repo/.droid/kpis.jsonl', kpi)).toBe(0);
    expect(tokenUsageAdapter.detect('/tmp/usage.jsonl', '')).toBe(0);
    expect(tokenUsageAdapter.detect('/tmp/droid_token_usage.json', head)).toBe(0.7);
  });
});
