import { describe, expect, it, vi } from 'vitest';

import { runLineAdapter } from '../parse-line.js';
import { kpiAdapter } from './index.js';
import { isKpiEvent } from './is-kpi-event.js';
import { KPI_KNOWN_KEYS, KpiEvent } from './schema.js';

/** Deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20260216);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const hex = (n: number) =>
  Array.from({ length: n }, () => pick([...'0123456789abcdefABCDEF'])).join('');
const uuid = () =>
  `${hex(8)}-${hex(4)}-${pick([...'12345678'])}${hex(3)}-${pick([...'89abAB'])}${hex(3)}-${hex(12)}`;

/** Values of every JSON type and the edges of each field's checks. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  1e308,
  '',
  'x',
  'x'.repeat(256),
  'x'.repeat(257),
  [],
  {},
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '550e8400-e29b-01d4-a716-446655440001',
  '550e8400-e29b-41d4-c716-446655440001',
  '550e8400e29b-41d4-a716-4466554400012',
  '550E8400-E29B-41D4-A716-446655440001',
  'task_start',
  'success',
  'ok',
  '2026-02-16T14:30:00Z',
];

const FIELDS = [...KPI_KNOWN_KEYS];

function validRecord(): Record<string, unknown> {
  const r: Record<string, unknown> = {
    event_id: uuid(),
    event_type: pick(['task_start', 'task_end', 'review_start', 'review_end', 'error']),
    timestamp: '2026-02-16T14:30:00.000Z',
    task_id: pick(['t', 'task_abc123', 'x'.repeat(256)]),
  };
  if (rand() < 0.7) r['session_id'] = pick(['', 's', 'x'.repeat(256)]);
  if (rand() < 0.7) r['model'] = pick(['gpt-5.3-codex', '']);
  for (const f of ['tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write']) {
    if (rand() < 0.5) r[f] = pick([0, 1, 1500, Number.MAX_SAFE_INTEGER]);
  }
  if (rand() < 0.5) r['duration_seconds'] = pick([0, 0.5, 150, 1e12]);
  if (rand() < 0.5) r['status'] = pick(['success', 'failure', 'timeout']);
  if (rand() < 0.3) r['error_message'] = pick(['boom', 'x'.repeat(65_536)]);
  if (rand() < 0.3) r['cost_usd'] = pick([0, 0.0123, 12]);
  if (rand() < 0.3) r['agent'] = 'droid-review';
  return r;
}

/** A valid record with one to three fields replaced by odd values or removed. */
function mutatedRecord(): Record<string, unknown> {
  const r = validRecord();
  const times = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < times; i++) {
    const field = pick(FIELDS);
    if (rand() < 0.15) delete r[field];
    else r[field] = pick(ODD_VALUES);
  }
  return r;
}

describe('isKpiEvent', () => {
  it('accepts generated valid records exactly as the schema does', () => {
    for (let n = 0; n < 5_000; n++) {
      const r = validRecord();
      expect(isKpiEvent(r), JSON.stringify(r)).toBe(true);
      const parsed = KpiEvent.safeParse(r);
      expect(parsed.success).toBe(true);
      if (!parsed.success) return;
      for (const f of FIELDS) expect(Object.is(parsed.data[f as keyof KpiEvent], r[f])).toBe(true);
    }
  });

  it('never accepts a record the schema rejects, and agrees on most mutated ones', () => {
    let agreedValid = 0;
    let rejected = 0;
    for (let n = 0; n < 20_000; n++) {
      const r = mutatedRecord();
      const fast = isKpiEvent(r);
      const parsed = KpiEvent.safeParse(r);
      if (fast) {
        expect(parsed.success, JSON.stringify(r)).toBe(true);
        agreedValid += 1;
      } else if (!parsed.success) rejected += 1;
      else {
        // Only the nil and max UUIDs are left to the schema on purpose.
        expect([
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
        ]).toContain(r['event_id']);
      }
    }
    expect(agreedValid).toBeGreaterThan(1_000);
    expect(rejected).toBeGreaterThan(1_000);
  });

  it('leaves every adapter result, events and reject messages, as the schema path gives it', async () => {
    vi.resetModules();
    vi.doMock('./is-kpi-event.js', () => ({ isKpiEvent: () => false }));
    const schemaOnly = ((await import('./index.js')) as typeof import('./index.js')).kpiAdapter;
    vi.doUnmock('./is-kpi-event.js');
    for (let n = 0; n < 6_000; n++) {
      const r = n % 2 === 0 ? validRecord() : mutatedRecord();
      const line = `${JSON.stringify(r)}\n`;
      expect(runLineAdapter(kpiAdapter, line), line).toEqual(runLineAdapter(schemaOnly, line));
    }
  });
});
