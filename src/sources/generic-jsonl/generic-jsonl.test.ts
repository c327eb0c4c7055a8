import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';

import { runLineAdapter } from '../parse-line.js';
import { getAtPath } from './dot-path.js';
import { GenericMapping, createGenericJsonlAdapter, parseGenericMapping } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/generic');
const file = join(dir, 'agent-events.jsonl');

function fixtureMapping(): GenericMapping {
  const config = parseToml(readFileSync(join(dir, 'vigil.toml'), 'utf8'));
  const sources = config['sources'];
  const entry: unknown = Array.isArray(sources) ? sources[0] : undefined;
  return GenericMapping.parse(entry);
}

describe('generic-jsonl adapter', () => {
  const adapter = createGenericJsonlAdapter(fixtureMapping());
  const results = runLineAdapter(adapter, readFileSync(file, 'utf8'), file);
  const events = results.flatMap((r) => (r.result.ok ? [...r.result.events] : []));

  it('maps every fixture line through the TOML mapping', () => {
    expect(events).toHaveLength(results.length);
    expect(events.map((e) => [e.type, e.kind, e.status])).toEqual([
      ['task_started', 'task', 'started'],
      ['llm_done', 'llm_call', 'success'],
      ['agent_step', 'agent', null],
      ['llm_done', 'llm_call', 'timeout'],
      ['task.finish', 'task', 'failure'],
      ['log', 'log', null],
    ]);
  });

  it('reads dot paths into canonical fields', () => {
    expect(events[0]?.id).toBe('4b0c6a1e-2f7d-4c11-9d3e-5a8b7c6d2e01');
    expect(events[1]).toEqual({
      id: expect.stringMatching(/^generic:[0-9a-f]{24}$/),
      type: 'llm_done',
      kind: 'llm_call',
      ts: Date.parse('2026-02-16T14:30:04.250Z'),
      sessionId: 'run-77',
      taskId: 'issue-412',
      phase: null,
      agentRole: 'planner',
      model: 'gpt-4.1-mini',
      status: 'success',
      durationMs: 3900,
      tokensIn: 1834,
      tokensOut: 412,
      tokensCacheRead: 1024,
      tokensCacheWrite: null,
      costUsd: 0.0021,
      message: null,
      source: { adapter: 'generic', file, line: 2, offset: results[1]?.offset },
      attrs: {
        run: { id: 'run-77' },
        agent: { role: 'planner' },
        llm: { model: 'gpt-4.1-mini' },
        usage: {
          prompt_tokens: 1834,
          completion_tokens: 412,
          prompt_tokens_details: { cached_tokens: 1024 },
          cost: 0.0021,
        },
      },
    });
    expect(events[2]).toMatchObject({
      ts: 1_771_252_210_000,
      message: 'editing src/app.py',
      attrs: { step: 3 },
    });
    expect(events[5]).toMatchObject({ type: 'log', attrs: { source_status: 'archived' } });
  });

  it('derives stable ids for records without one', () => {
    const again = runLineAdapter(adapter, readFileSync(file, 'utf8'), file).flatMap((r) =>
      r.result.ok ? r.result.events.map((e) => e.id) : [],
    );
    expect(again).toEqual(events.map((e) => e.id));
    expect(new Set(again).size).toBe(again.length);
  });

  it('rejects records naming the source path and the canonical field', () => {
    const bad = join(dir, 'agent-events.bad.jsonl');
    const rejects = runLineAdapter(adapter, readFileSync(bad, 'utf8'), bad).map((r) =>
      r.result.ok ? null : r.result.reject.message,
    );
    expect(rejects).toEqual([
      'time: required field is missing (mapped to ts)',
      'time: expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z or epoch seconds/milliseconds (mapped to ts)',
      'usage.prompt_tokens: expected a non-negative number (mapped to tokens_in)',
      'elapsed_s: expected a non-negative number (mapped to duration_seconds)',
    ]);
    const noDefault = createGenericJsonlAdapter(
      GenericMapping.parse({ fields: { ts: 'time', type: 'evt' } }),
    );
    const [r] = runLineAdapter(noDefault, '{"time":"2026-02-16T14:30:00Z"}\n');
    expect(r?.result.ok === false && r.result.reject).toEqual({
      reason: 'schema',
      field: 'evt',
      message: 'evt: required field is missing (mapped to type)',
    });
  });

  it('never walks into prototypes', () => {
    const polluted = JSON.parse('{"__proto__":{"x":1},"a":{"b":2}}');
    expect(getAtPath(polluted, ['__proto__', 'x'])).toBeUndefined();
    expect(getAtPath({ a: {} }, ['a', 'constructor'])).toBeUndefined();
    expect(getAtPath({ a: {} }, ['a', 'toString'])).toBeUndefined();
    expect(getAtPath({ a: [{ b: 1 }] }, ['a', '0', 'b'])).toBe(1);
    expect(getAtPath({ 'a.b': 3 }, ['a', 'b'])).toBe(3);
  });

  it('is never auto-detected', () => {
    expect(adapter.detect('/logs/agents/a.jsonl', '{"time":"x","evt":"y"}')).toBe(0);
    expect(adapter.name).toBe('generic');
  });
});

describe('GenericMapping validation', () => {
  it.each([
    [
      { fields: { type: 'evt' } },
      ['fields.ts: required: name the field holding the timestamp, e.g. ts = "time"'],
    ],
    [
      { fields: { ts: 'time' } },
      [
        'fields.type: required: name the field holding the event type, e.g. type = "evt", or set type_default',
      ],
    ],
    [
      { fields: { ts: 'time', type: 'evt', tokens_input: 'usage.prompt_tokens' } },
      [
        expect.stringMatching(
          /^fields\.tokens_input: unknown field; expected one of id, type, ts, /,
        ),
      ],
    ],
    [
      { fields: { ts: 'time', type: 'evt', tokens_in: 5 } },
      ['fields.tokens_in: expected a dot path string such as "usage.prompt_tokens"'],
    ],
    [
      { fields: { ts: 'time', type: 'evt', tokens_in: 'usage..prompt' } },
      ['fields.tokens_in: empty segment in "usage..prompt"; write it as usage.prompt'],
    ],
    [
      { fields: { ts: '__proto__.polluted', type: 'evt' } },
      ['fields.ts: segment "__proto__" is not allowed in a dot path'],
    ],
    [
      { fields: { ts: 'time', type: 'evt' }, kinds: { 'task.created': 'ticket' } },
      [expect.stringMatching(/^kinds\["task\.created"\]: expected one of task, llm_call, /)],
    ],
    [
      { fields: { ts: 'time', type: 'evt' }, statuses: { ok: 'fine' } },
      [expect.stringMatching(/^statuses\.ok: expected one of started, success, /)],
    ],
    [
      { fields: { ts: 't', type: 'e', duration_ms: 'a', duration_seconds: 'b' } },
      ['fields.duration_seconds: map duration_ms or duration_seconds, not both'],
    ],
    [
      { fields: 'time' },
      ['fields: expected a table of canonical field = "dot.path", e.g. ts = "time"'],
    ],
  ])('reports %j', (input, errors) => {
    const result = parseGenericMapping(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(errors);
  });

  it('accepts the documented example and ignores other source keys', () => {
    const result = parseGenericMapping({
      path: 'logs/agents/*.jsonl',
      format: 'generic',
      fields: { ts: 'time', type: 'evt', tokens_in: 'usage.prompt_tokens' },
    });
    expect(result).toEqual({
      ok: true,
      mapping: { fields: { ts: 'time', type: 'evt', tokens_in: 'usage.prompt_tokens' } },
    });
    expect(parseGenericMapping({ fields: { ts: 'time' }, type_default: 'log' }).ok).toBe(true);
  });
});
