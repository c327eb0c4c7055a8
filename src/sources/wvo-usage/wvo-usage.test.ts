import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DocumentContext } from '../types.js';
import { wvoUsageAdapter } from './index.js';

const dir = join(import.meta.dirname, '../../../test/fixtures/wvo');
const file = join(dir, 'state/limits/usage_log.json');
const mtimeMs = Date.parse('2026-02-16T12:00:00Z');
const ctx: DocumentContext = { file, logicalPath: file, mtimeMs, previousDigest: null };
const parse = (text: string) => wvoUsageAdapter.parseDocument(text, ctx);

describe('wvo-usage adapter', () => {
  it('emits one provider_usage per provider, numbers in attrs only', () => {
    const { events, rejects } = parse(readFileSync(file, 'utf8'));
    expect(rejects).toEqual([]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'provider_usage',
      kind: 'llm_call',
      ts: Date.parse('2026-02-16T10:00:00Z'),
      tokensIn: null,
      tokensOut: null,
      costUsd: null,
      model: null,
      source: { adapter: 'wvo-usage', file, line: null, offset: null },
    });
    expect(events[0]?.attrs).toEqual({
      provider: 'claude',
      snapshot_at: '2026-02-16T10:00:00.000Z',
      hour_requests: 42,
      hour_tokens: 180400,
      hour_cost_usd: 1.35,
      hour_window_start: '2026-02-16T10:00:00.000Z',
      day_requests: 310,
      day_tokens: 1250000,
      day_cost_usd: 9.42,
      day_window_start: '2026-02-16T00:00:00.000Z',
      hour_request_limit: 100,
      hour_token_limit: 500000,
      day_request_limit: 1000,
      day_token_limit: 5000000,
      percentage_used: 36.08,
      approaching_hourly_limit: false,
      approaching_daily_limit: false,
      tier: 'pro',
    });
    expect(events[1]).toMatchObject({
      ts: Date.parse('2026-02-16T09:58:30Z'),
      attrs: {
        provider: 'codex',
        hour_cost_usd: null,
        day_cost_usd: 21.7,
        hour_request_limit: null,
        approaching_daily_limit: true,
      },
    });
  });

  it('derives ids from provider and snapshot time', () => {
    const text = readFileSync(file, 'utf8');
    const ids = parse(text).events.map((e) => e.id);
    expect(parse(text).events.map((e) => e.id)).toEqual(ids);
    const later = parse(
      text.replace(
        '"last_saved": "2026-02-16T10:00:00.000Z"',
        '"last_saved": "2026-02-16T10:05:00Z"',
      ),
    );
    const laterIds = later.events.map((e) => e.id);
    expect(laterIds[0]).not.toBe(ids[0]); // claude's snapshot time moved with last_saved
    expect(laterIds[1]).toBe(ids[1]); // codex has its own updated_at
  });

  it('accepts a providers array and falls back to mtime', () => {
    const { events } = parse(
      '{"providers":[{"provider":"gemini","usage":{"current_day":{"requests":5,"tokens":900}}}]}',
    );
    expect(events[0]).toMatchObject({
      ts: mtimeMs,
      attrs: { provider: 'gemini', day_tokens: 900, hour_tokens: null },
    });
  });

  it('rejects bad providers one by one and keeps the good ones', () => {
    const { events, rejects } = parse(readFileSync(join(dir, 'bad/usage_log.json'), 'utf8'));
    expect(events.map((e) => e.attrs['provider'])).toEqual(['claude']);
    expect(rejects.map((r) => [r.reason, r.message])).toEqual([
      ['schema', 'providers.gemini.usage.current_hour.requests: expected a non-negative integer'],
      ['schema', 'providers.codex.usage: required field is missing'],
    ]);
    expect(parse('{"providers":[{"usage":{}}]}').rejects[0]?.message).toBe(
      'providers.0.provider: required field is missing: name the provider',
    );
  });

  it('rejects invalid documents', () => {
    expect(parse('{"providers": {').rejects).toEqual([
      expect.objectContaining({ reason: 'invalid_document', line: 1 }),
    ]);
    expect(parse('{"last_saved":"2026-02-16"}').rejects[0]?.message).toBe(
      'providers: required field is missing',
    );
  });

  it('detects its path', () => {
    expect(wvoUsageAdapter.detect(file, '')).toBe(0.95);
    expect(
      wvoUsageAdapter.detect('/x/u.json', '{"providers":{"a":{"usage":{"current_hour":{}}}}}'),
    ).toBe(0.7);
    expect(wvoUsageAdapter.detect('/x/u.jsonl', '{"providers":1}')).toBe(0);
  });
});
