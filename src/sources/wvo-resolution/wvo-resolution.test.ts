import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DocumentContext } from '../types.js';
import { wvoResolutionAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wvo');
const file = join(dir, 'state/analytics/resolution_metrics.json');
const ctx = (path: string): DocumentContext => ({
  file: path,
  logicalPath: path,
  mtimeMs: Date.parse('2026-02-16T12:00:00Z'),
  previousDigest: null,
});
const parse = (path: string, text = readFileSync(path, 'utf8')) =>
  wvoResolutionAdapter.parseDocument(text, ctx(path));

describe('wvo-resolution adapter', () => {
  it('emits one resolution_loop per loop and one resolution_attempt per attempt', () => {
    const { events, rejects } = parse(file);
    expect(rejects).toEqual([]);
    expect(events.map((e) => `${e.type}:${e.taskId}`)).toEqual([
      'resolution_attempt:T6.2.1',
      'resolution_attempt:T6.2.1',
      'resolution_loop:T6.2.1',
      'resolution_attempt:T6.3.4',
      'resolution_attempt:T6.3.4',
      'resolution_attempt:T6.3.4',
      'resolution_loop:T6.3.4',
      'resolution_attempt:T5.9.2',
      'resolution_loop:T5.9.2',
    ]);
    expect(events[2]).toMatchObject({
      kind: 'resolution',
      ts: Date.parse('2026-02-16T09:31:05Z'),
      sessionId: 'run-20260216-0900',
      status: 'success',
      durationMs: 985_000,
      source: { adapter: 'wvo-resolution', file, line: null, offset: null },
      attrs: {
        loop_id: 'T6.2.1#1',
        loop_status: 'closed',
        attempt_count: 2,
        incident_count: 0,
        opened_at: '2026-02-16T09:14:40.000Z',
        closed_at: '2026-02-16T09:31:05.000Z',
        last_outcome: 'success',
        last_label: 'tests_passed',
        run_id: 'run-20260216-0900',
      },
    });
    expect(events[0]).toMatchObject({
      status: 'failure',
      ts: Date.parse('2026-02-16T09:14:40Z'),
      durationMs: 322_000,
      attrs: {
        loop_id: 'T6.2.1#1',
        attempt: 1,
        outcome: 'failure',
        label: 'tests_failed',
        incident: null,
        finished_at: '2026-02-16T09:20:02.000Z',
      },
    });
    expect(events[4]).toMatchObject({
      message: 'same_failure_twice',
      attrs: { incident: 'same_failure_twice' },
    });
    expect(events[6]).toMatchObject({
      status: 'started',
      ts: Date.parse('2026-02-16T10:01:00Z'),
      durationMs: null,
      attrs: {
        loop_status: 'active',
        attempt_count: 3,
        incident_count: 1,
        closed_at: null,
        last_outcome: 'pending',
        last_label: null,
      },
    });
    expect(events[8]).toMatchObject({
      status: 'failure',
      sessionId: null,
      attrs: {
        loop_status: 'abandoned',
        attempt_count: 7,
        incident_count: 2,
        owner: 'atlas',
        last_outcome: 'timeout',
      },
    });
  });

  it('is idempotent on re-read and makes new loop ids as a loop progresses', () => {
    const text = readFileSync(file, 'utf8');
    const first = parse(file, text).events.map((e) => e.id);
    expect(parse(file, text).events.map((e) => e.id)).toEqual(first);
    expect(new Set(first).size).toBe(first.length);

    const progressed = text
      .replace(
        '{ "attempt": 3, "started_at": "2026-02-16T10:01:00Z", "outcome": "pending" }',
        '{ "attempt": 3, "started_at": "2026-02-16T10:01:00Z", "outcome": "success" }',
      )
      .replace('"status": "active"', '"status": "closed"')
      .replace('"closed_at": null', '"closed_at": "2026-02-16T10:09:00Z"');
    const next = parse(file, progressed).events.map((e) => e.id);
    const changed = next.filter((id) => !first.includes(id));
    expect(changed).toHaveLength(1); // the T6.3.4 loop: active,3 → closed,3; attempt ids are stable
    expect(parse(file, progressed).events.find((e) => e.id === changed[0])).toMatchObject({
      type: 'resolution_loop',
      status: 'success',
      durationMs: 1_440_000,
    });
  });

  it('reads upstream WeatherVane layout (activeLoops, recentlyClosed, recentEvents)', () => {
    const { events, rejects } = parse(
      join(dir, 'upstream/state/analytics/resolution_metrics.json'),
    );
    expect(rejects).toEqual([]);
    const loops = events.filter((e) => e.type === 'resolution_loop');
    expect(loops.map((e) => e.attrs)).toEqual([
      expect.objectContaining({
        loop_id: 'T6.3.4@run-b',
        loop_status: 'active',
        attempt_count: 2,
        incident_count: 1,
        last_label: 'lint_failed',
        infinite_loop: false,
      }),
      expect.objectContaining({
        loop_id: 'T6.2.1@run-a',
        loop_status: 'closed',
        attempt_count: 2,
        opened_at: '2026-02-16T09:14:40.000Z',
      }),
    ]);
    expect(loops[1]).toMatchObject({ status: 'success', durationMs: 985_000, sessionId: 'run-a' });
    expect(events.filter((e) => e.type === 'resolution_attempt')).toHaveLength(4);
  });

  it('rejects a bad loop or attempt by itself and keeps the rest', () => {
    const { events, rejects } = parse(join(dir, 'bad/resolution_metrics.json'));
    expect(rejects).toEqual([
      {
        reason: 'schema',
        field: 'loops.0.attempts.1.started_at',
        message: 'loops.0.attempts.1.started_at: required field is missing',
        line: null,
      },
      {
        reason: 'schema',
        field: 'loops.0.attempts.2.attempt',
        message:
          'loops.0.attempts.2.attempt: attempt 1 appears twice in loop L-ok; number attempts uniquely',
        line: null,
      },
      {
        reason: 'schema',
        field: 'loops.1.status',
        message: 'loops.1.status: expected one of active, closed, abandoned',
        line: null,
      },
    ]);
    expect(events.map((e) => e.type)).toEqual(['resolution_attempt', 'resolution_loop']);
  });

  it('rejects invalid JSON as one invalid_document with its line', () => {
    const result = parse(join(dir, 'bad/resolution_metrics.invalid.json'));
    expect(result.events).toEqual([]);
    expect(result.rejects).toHaveLength(1);
    expect(result.rejects[0]).toMatchObject({ reason: 'invalid_document', line: 3 });
    expect(result.rejects[0]?.message).toMatch(/^invalid JSON at line 3: /);
    expect(parse(file, '[1]').rejects[0]?.message).toBe(
      '(root): expected a JSON object with "loops"',
    );
    expect(parse(file, '{"loops": 3}').rejects[0]?.message).toBe(
      'loops: expected an array of loops',
    );
    expect(parse(file, '{}').rejects[0]?.message).toBe('loops: required field is missing');
  });

  it('detects its path and content', () => {
    expect(wvoResolutionAdapter.detect(file, '')).toBe(0.95);
    expect(wvoResolutionAdapter.detect('/x/loops.json', '{"loops":[{"loop_id":"a"}]}')).toBe(0.7);
    expect(wvoResolutionAdapter.detect('/x/other.json', '{"a":1}')).toBe(0);
  });
});
