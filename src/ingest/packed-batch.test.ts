import { describe, expect, it } from 'vitest';

import { encodeEvents, STRIDE } from '../core/encoded.js';
import type { VigilEvent } from '../core/event.js';
import { PackedBuilder, packEvents, unpackEvents } from './packed-batch.js';

function event(i: number, over: Partial<VigilEvent> = {}): VigilEvent {
  return {
    id: `550e8400-e29b-41d4-a716-${String(i).padStart(12, '0')}`,
    type: i % 2 === 0 ? 'task_start' : 'task_end',
    kind: 'task',
    ts: 1_767_225_600_000 + i,
    sessionId: `sess_${i % 3}`,
    taskId: `task_${i >> 1}`,
    phase: null,
    agentRole: null,
    model: i % 2 === 0 ? 'gpt-5.3-codex' : null,
    status: i % 2 === 0 ? 'started' : 'success',
    durationMs: i % 2 === 0 ? null : 1_500.25,
    tokensIn: i % 2 === 0 ? null : i,
    tokensOut: i % 2 === 0 ? null : 0,
    tokensCacheRead: null,
    tokensCacheWrite: null,
    costUsd: i % 5 === 0 ? 0.0123 : null,
    message: i % 7 === 0 ? 'boom — ünïcødé 🚀' : null,
    source: { adapter: 'kpi', file: '/repo/.droid/kpis.jsonl', line: i + 1, offset: i * 321 },
    attrs: i % 4 === 0 ? {} : { agent: `droid-${i % 4}`, repo: 'fabrik/platform' },
    ...over,
  };
}

describe('packed batches', () => {
  it('unpack to exactly the values they were packed from', () => {
    const events = Array.from({ length: 100 }, (_, i) => event(i));
    events.push(
      event(100, { durationMs: -0, costUsd: Number.NaN, tokensIn: Number.MAX_SAFE_INTEGER }),
      event(101, {
        sessionId: 'task_50',
        taskId: 'sess_1',
        source: { adapter: 'kpi', file: null, line: null, offset: null },
      }),
      event(102, { message: '', phase: 'plan', agentRole: 'reviewer' }),
    );
    const enc = encodeEvents(events);
    enc.values[2] = 12_345; // a body hash already computed
    const back = unpackEvents(packEvents(enc));
    expect(back.count).toBe(enc.count);
    expect(back.values).toHaveLength(enc.values.length);
    for (let k = 0; k < enc.values.length; k++) expect(back.values[k]).toStrictEqual(enc.values[k]);
    expect(Object.is(back.values[100 * STRIDE + 12], -0)).toBe(true);
  });

  it('store each repeated string once', () => {
    const packed = packEvents(encodeEvents(Array.from({ length: 50 }, (_, i) => event(i))));
    expect(packed.ids).toHaveLength(50);
    expect(new Set(packed.dict).size).toBe(packed.dict.length);
    expect(packed.dict.filter((s) => s === '/repo/.droid/kpis.jsonl')).toHaveLength(1);
  });

  it('grow past their capacity and fill handed-back buffers and values again', () => {
    const first = encodeEvents(Array.from({ length: 40 }, (_, i) => event(i)));
    const builder = new PackedBuilder(1);
    for (let i = 0; i < first.count; i++) builder.add(first.values, i * STRIDE);
    const a = builder.finish();
    expect(a.count).toBe(40);
    const unpackedA = unpackEvents(a);

    const second = encodeEvents(Array.from({ length: 25 }, (_, i) => event(i + 500)));
    const reused = new PackedBuilder(25, a);
    for (let i = 0; i < second.count; i++) reused.add(second.values, i * STRIDE);
    const b = reused.finish();
    expect(b.nums).toBe(a.nums);
    const unpackedB = unpackEvents(b, unpackedA.values);
    expect(unpackedB.values).toBe(unpackedA.values);
    expect(unpackedB.count).toBe(25);
    expect(unpackedB.values.slice(0, 25 * STRIDE)).toStrictEqual(second.values);
  });
});
