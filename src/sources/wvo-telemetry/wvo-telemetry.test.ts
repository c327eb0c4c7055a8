import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runLineAdapter } from '../parse-line.js';
import { wvoTelemetryAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wvo');
const file = join(dir, 'state/telemetry/operations.jsonl');

describe('wvo-telemetry adapter', () => {
  const results = runLineAdapter(wvoTelemetryAdapter, readFileSync(file, 'utf8'), file);
  const events = results.flatMap((r) => (r.result.ok ? [...r.result.events] : []));

  it('parses every fixture line', () => {
    expect(events).toHaveLength(results.length);
    expect(events.map((e) => e.type)).toEqual([
      'telemetry_operation',
      'telemetry_operation',
      'resource_sample',
      'telemetry_operation',
      'resource_sample',
      'telemetry_operation',
    ]);
  });

  it("puts an LLM call's tokens on the event", () => {
    expect(events[1]).toMatchObject({
      kind: 'command',
      ts: Date.parse('2026-02-16T09:14:39Z'),
      taskId: 'T6.2.1',
      model: 'claude-sonnet-4.5',
      status: 'success',
      durationMs: 41_250,
      tokensIn: 18234,
      tokensOut: 2410,
      costUsd: 0.091,
      source: { adapter: 'wvo-telemetry', file, line: 2 },
      attrs: { operation: 'llm.complete', provider: 'anthropic', llm_call: true },
    });
    expect(events[0]).toMatchObject({
      tokensIn: null,
      attrs: { operation: 'plan_next', provider: null, llm_call: false },
    });
    expect(events[3]).toMatchObject({
      status: 'failure',
      message: 'exit code 1',
      attrs: { exit_code: 1 },
    });
    expect(events[5]).toMatchObject({
      status: 'timeout',
      tokensIn: null,
      attrs: { llm_call: true },
    });
  });

  it('maps resource samples into attrs', () => {
    expect(events[2]).toMatchObject({
      kind: 'resource',
      status: null,
      attrs: {
        host: 'wvo-mbp',
        process: 'node',
        pid: 48211,
        cpu_pct: 63.5,
        memory_mb: 11850,
        memory_pct: 72.3,
        rss_mb: 512.4,
        disk_pct: 81,
        load_avg_1m: 3.1,
        load_avg_5m: 2.8,
        load_avg_15m: 2.2,
      },
    });
    expect(events[4]?.attrs).toEqual({
      host: 'wvo-mbp',
      process: null,
      pid: null,
      cpu_pct: 91,
      memory_mb: 12990,
      memory_pct: null,
      rss_mb: null,
      disk_pct: null,
      load_avg_1m: 4.7,
      load_avg_5m: null,
      load_avg_15m: null,
      claude_processes: 3,
    });
  });

  it('gives a re-read the same ids', () => {
    const again = runLineAdapter(wvoTelemetryAdapter, readFileSync(file, 'utf8'), file).flatMap(
      (r) => (r.result.ok ? r.result.events.map((e) => e.id) : []),
    );
    expect(again).toEqual(events.map((e) => e.id));
  });

  it('rejects bad records naming the field', () => {
    const bad = join(dir, 'bad/operations.jsonl');
    const rejects = runLineAdapter(wvoTelemetryAdapter, readFileSync(bad, 'utf8'), bad).map((r) =>
      r.result.ok ? null : [r.result.reject.reason, r.result.reject.message],
    );
    expect(rejects).toEqual([
      ['schema', 'operation: required field is missing'],
      [
        'schema',
        'status: expected one of started, success, ok, error, failure, timeout, cancelled',
      ],
      ['schema', 'memory_pct: expected a percentage between 0 and 100'],
      ['schema', 'record: required field is missing; set it to one of operation, resource'],
    ]);
  });

  it('detects by path, then by content', () => {
    expect(wvoTelemetryAdapter.detect('/w/state/telemetry/ops.jsonl', '')).toBe(0.9);
    expect(wvoTelemetryAdapter.detect('/x/a.jsonl', '{"record":"resource","cpu_pct":3}')).toBe(0.7);
    expect(wvoTelemetryAdapter.detect('/x/a.jsonl', '{"record":"task"}')).toBe(0);
  });
});
