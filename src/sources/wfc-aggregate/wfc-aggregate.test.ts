import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VigilEvent } from '../../core/event.js';
import { deriveId, digest } from '../shared/fields.js';
import type { DocumentContext } from '../types.js';
import { wfcAggregateAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wfc/telemetry');
const fixture = join(dir, 'aggregate.json');
const bad = join(dir, 'aggregate-bad.json');
const MTIME = Date.parse('2026-02-16T16:56:29.500Z') + 0.25;

function ctx(file: string): DocumentContext {
  return { file, logicalPath: file, mtimeMs: MTIME, previousDigest: null };
}

const parse = (text: string, file = '/home/u/.wfc/telemetry/aggregate.json') =>
  wfcAggregateAdapter.parseDocument(text, ctx(file));

describe('wfc-aggregate adapter', () => {
  it('turns the aggregate into one aggregate_snapshot event', () => {
    const text = readFileSync(fixture, 'utf8');
    const { events, rejects } = parse(text, fixture);
    expect(rejects).toEqual([]);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(VigilEvent.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({
      id: deriveId('wfc-aggregate', fixture, digest(text)),
      type: 'aggregate_snapshot',
      kind: 'resource',
      status: null,
      ts: Date.parse('2026-02-16T16:56:29.500Z'),
      taskId: null,
      tokensIn: null,
      tokensOut: null,
      durationMs: null,
      message: '11 tasks: 8 succeeded, 3 failed',
      source: { adapter: 'wfc-aggregate', file: fixture, line: null, offset: null },
    });
    expect(event?.attrs).toEqual({
      success_rate: 8 / 11,
      avg_duration_seconds: 10_766.993 / 11,
      total_tasks: 11,
      successful_tasks: 8,
      failed_tasks: 3,
      total_tokens: 1_075_164,
      total_duration_seconds: 10_766.993,
      truncation_count: 2,
      avg_retries: 10 / 11,
      window: {
        size: 100,
        tasks: 7,
        success: 5,
        failed: 2,
        in_progress: 0,
        truncated: 1,
        retries: 10,
        tokens: 822_272,
        tokens_by_complexity: { S: 25_549, M: 144_909, L: 161_356, XL: 490_458 },
        tasks_by_complexity: { S: 2, M: 3, L: 1, XL: 1 },
        first_task_at: '2026-02-16T14:30:12.483920',
        last_task_at: '2026-02-16T16:55:48.918263',
      },
    });
  });

  it('gives each distinct content its own id and the same content the same id', () => {
    const text = readFileSync(fixture, 'utf8');
    const again = parse(text).events[0]?.id;
    expect(parse(text).events[0]?.id).toBe(again);
    const changed = text.replace('"total_tasks": 11', '"total_tasks": 12');
    expect(parse(changed).events[0]?.id).not.toBe(again);
  });

  it('reads the optional extensions: updated_at as ts, window_size, avg_review_score', () => {
    const { events } = parse(
      '{"total_tasks":3,"successful_tasks":3,"failed_tasks":0,"tasks":[],"window_size":50,"updated_at":"2026-02-17T08:00:00+01:00","avg_review_score":8.25,"__proto__":{"polluted":1}}',
    );
    expect(events[0]).toMatchObject({
      ts: Date.parse('2026-02-17T07:00:00Z'),
      attrs: {
        success_rate: 1,
        avg_duration_seconds: null,
        window_size: 50,
        avg_review_score: 8.25,
        window: { size: 50, tasks: 0 },
      },
    });
    expect(events[0]?.attrs).not.toHaveProperty('updated_at');
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('reports bad task entries, leaves them out of the window and still emits the snapshot', () => {
    const { events, rejects } = parse(readFileSync(bad, 'utf8'), bad);
    expect(rejects).toEqual([
      {
        reason: 'schema',
        field: 'tasks[1].tokens',
        message: 'tasks[1].tokens: expected a non-negative integer',
        line: null,
      },
      {
        reason: 'schema',
        field: 'tasks[2].task_id',
        message: 'tasks[2].task_id: required field is missing',
        line: null,
      },
      {
        reason: 'schema',
        field: 'tasks[3].complexity',
        message: 'tasks[3].complexity: expected one of S, M, L, XL',
        line: null,
      },
      {
        reason: 'schema',
        field: 'tasks[4]',
        message: 'tasks[4]: expected a task object',
        line: null,
      },
    ]);
    expect(events[0]?.attrs['window']).toMatchObject({
      tasks: 2,
      success: 1,
      in_progress: 1,
      tokens: 12_040,
    });
  });

  it.each([
    ['{"total_tasks": 3, "successful_tasks": 3,', 'invalid_document', 'invalid JSON'],
    ['[1, 2]', 'not_an_object', 'expected a JSON object at the top level'],
    [
      '{"successful_tasks":1,"failed_tasks":0,"tasks":[]}',
      'schema',
      'total_tasks: required field is missing',
    ],
    [
      '{"total_tasks":"11","successful_tasks":1,"failed_tasks":0,"tasks":[]}',
      'schema',
      'total_tasks: expected a non-negative integer',
    ],
    [
      '{"total_tasks":1,"successful_tasks":1,"failed_tasks":0,"tasks":{}}',
      'schema',
      'tasks: expected an array of task entries',
    ],
    [
      '{"total_tasks":1,"successful_tasks":1,"failed_tasks":0,"tasks":[],"updated_at":"soon"}',
      'schema',
      'updated_at: expected an ISO-8601 date-time such as 2026-02-16T14:30:00',
    ],
    [
      '{"total_tasks":1,"successful_tasks":1,"failed_tasks":0,"tasks":[],"total_duration_seconds":-1}',
      'schema',
      'total_duration_seconds: expected a non-negative number of seconds',
    ],
  ])('rejects %s as %s', (text, reason, message) => {
    const { events, rejects } = parse(text);
    expect(events).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason, line: null });
    expect(rejects[0]?.message).toContain(message);
  });

  it('rejects an oversized document and ignores an empty one (caught mid-rewrite)', () => {
    const huge = `{"pad":"${'x'.repeat(wfcAggregateAdapter.maxBytes)}"}`;
    expect(parse(huge).rejects[0]).toMatchObject({ reason: 'document_too_large', line: null });
    expect(parse('  \n')).toEqual({ events: [], rejects: [] });
  });

  it('detects the aggregate by path and by content', () => {
    const head = readFileSync(fixture, 'utf8').slice(0, 4096);
    expect(wfcAggregateAdapter.detect('/home/u/.wfc/telemetry/aggregate.json', '')).toBe(0.95);
    expect(wfcAggregateAdapter.detect('/home/u/.wfc/telemetry/acme/aggregate.json', '')).toBe(0.95);
    expect(wfcAggregateAdapter.detect('/backup/aggregate.json', head)).toBe(0.8);
    expect(wfcAggregateAdapter.detect('/backup/stats.json', head)).toBe(0.5);
    expect(
      wfcAggregateAdapter.detect(
        '/runs/r1/aggregate.json',
        '{"kind":"swift-e2e-aggregate","version":1}',
      ),
    ).toBe(0);
    expect(wfcAggregateAdapter.detect('/home/u/.wfc/telemetry/events.jsonl', '')).toBe(0);
  });
});
