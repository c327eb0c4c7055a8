/**
 * Provider usage snapshots (`state/limits/usage_log.json`, adapter `wvo-usage`): the latest
 * `provider_usage` event per provider, as the raw snapshot (seed 001's `/api/metrics/usage`)
 * and as capacity figures for `/api/metrics/resources`.
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../../store/types.js';
import { attrBoolean, attrNumber, attrString, round } from './attrs.js';
import { iso, isoOf, type TimeWindow } from './time.js';

/** Attributes the adapter names (docs/formats/wvo.md); any others are the entry's own keys. */
const NAMED = new Set([
  'provider',
  'snapshot_at',
  'hour_requests',
  'hour_tokens',
  'hour_cost_usd',
  'hour_window_start',
  'day_requests',
  'day_tokens',
  'day_cost_usd',
  'day_window_start',
  'hour_request_limit',
  'hour_token_limit',
  'day_request_limit',
  'day_token_limit',
  'percentage_used',
  'approaching_hourly_limit',
  'approaching_daily_limit',
]);

/** The latest `provider_usage` event of each provider in the window, by provider name. */
export async function latestProviderUsage(
  store: Store,
  window: TimeWindow,
): Promise<Map<string, VigilEvent>> {
  const latest = new Map<string, VigilEvent>();
  for await (const e of store.iterateEvents({
    types: ['provider_usage'],
    since: window.since,
    until: window.until,
  })) {
    const provider = attrString(e.attrs, 'provider') ?? e.model ?? 'unknown';
    const prev = latest.get(provider);
    if (prev === undefined || e.ts >= prev.ts) latest.set(provider, e);
  }
  return new Map([...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const UsageWindow = z.object({
  requests: z.number().nullable(),
  tokens: z.number().nullable(),
  cost_usd: z.number().nullable(),
  window_start: z.string().nullable(),
});

const ProviderEntry = z
  .object({
    provider: z.string(),
    updated_at: z.string().nullable(),
    usage: z.object({ current_hour: UsageWindow, current_day: UsageWindow }),
    limits: z.object({
      hourly_requests: z.number().nullable(),
      hourly_tokens: z.number().nullable(),
      daily_requests: z.number().nullable(),
      daily_tokens: z.number().nullable(),
    }),
    warnings: z.object({
      approaching_hourly_limit: z.boolean().nullable(),
      approaching_daily_limit: z.boolean().nullable(),
      percentage_used: z.number().nullable(),
    }),
  })
  .catchall(z.unknown())
  .describe("A provider's entry; the entry's other keys (e.g. tier) are kept as they were");

export const UsageBody = z.object({
  last_saved: z.string().nullable().describe('The newest snapshot time among the providers'),
  providers: z.record(z.string(), ProviderEntry),
});
export type UsageBody = z.infer<typeof UsageBody>;

/** The snapshot in `usage_log.json`'s own layout. */
export function usageBody(latest: ReadonlyMap<string, VigilEvent>): UsageBody {
  const providers: UsageBody['providers'] = {};
  let lastSaved: number | null = null;
  for (const [provider, e] of latest) {
    const a = e.attrs;
    const n = (k: string) => attrNumber(a, k);
    const extra = Object.fromEntries(Object.entries(a).filter(([k]) => !NAMED.has(k)));
    providers[provider] = {
      ...extra,
      provider,
      updated_at: iso(e.ts),
      usage: {
        current_hour: {
          requests: n('hour_requests'),
          tokens: n('hour_tokens'),
          cost_usd: n('hour_cost_usd'),
          window_start: attrString(a, 'hour_window_start'),
        },
        current_day: {
          requests: n('day_requests'),
          tokens: n('day_tokens'),
          cost_usd: n('day_cost_usd'),
          window_start: attrString(a, 'day_window_start'),
        },
      },
      limits: {
        hourly_requests: n('hour_request_limit'),
        hourly_tokens: n('hour_token_limit'),
        daily_requests: n('day_request_limit'),
        daily_tokens: n('day_token_limit'),
      },
      warnings: {
        approaching_hourly_limit: attrBoolean(a, 'approaching_hourly_limit'),
        approaching_daily_limit: attrBoolean(a, 'approaching_daily_limit'),
        percentage_used: n('percentage_used'),
      },
    };
    if (lastSaved === null || e.ts > lastSaved) lastSaved = e.ts;
  }
  return { last_saved: iso(lastSaved), providers };
}

export const ProviderCapacity = z.object({
  provider: z.string(),
  snapshot_at: z.string(),
  hour: z.object({
    requests: z.number().nullable(),
    request_limit: z.number().nullable(),
    tokens: z.number().nullable(),
    token_limit: z.number().nullable(),
    utilisation: z.number().nullable().describe('Highest used / limit ratio of the hour, 0..1+'),
  }),
  day: z.object({
    requests: z.number().nullable(),
    request_limit: z.number().nullable(),
    tokens: z.number().nullable(),
    token_limit: z.number().nullable(),
    utilisation: z.number().nullable().describe('Highest used / limit ratio of the day, 0..1+'),
  }),
  percentage_used: z.number().nullable().describe('As the provider log reported it'),
  approaching_hourly_limit: z.boolean().nullable(),
  approaching_daily_limit: z.boolean().nullable(),
});
export type ProviderCapacity = z.infer<typeof ProviderCapacity>;

function utilisation(pairs: readonly [number | null, number | null][]): number | null {
  let best: number | null = null;
  for (const [used, limit] of pairs) {
    if (used === null || limit === null || limit <= 0) continue;
    const r = used / limit;
    if (best === null || r > best) best = r;
  }
  return best === null ? null : round(best, 4);
}

/** Capacity per provider: usage against limits in the current hour and day. */
export function providerCapacity(latest: ReadonlyMap<string, VigilEvent>): ProviderCapacity[] {
  return [...latest].map(([provider, e]) => {
    const n = (k: string) => attrNumber(e.attrs, k);
    const hour = {
      requests: n('hour_requests'),
      request_limit: n('hour_request_limit'),
      tokens: n('hour_tokens'),
      token_limit: n('hour_token_limit'),
    };
    const day = {
      requests: n('day_requests'),
      request_limit: n('day_request_limit'),
      tokens: n('day_tokens'),
      token_limit: n('day_token_limit'),
    };
    return {
      provider,
      snapshot_at: isoOf(e.ts),
      hour: {
        ...hour,
        utilisation: utilisation([
          [hour.requests, hour.request_limit],
          [hour.tokens, hour.token_limit],
        ]),
      },
      day: {
        ...day,
        utilisation: utilisation([
          [day.requests, day.request_limit],
          [day.tokens, day.token_limit],
        ]),
      },
      percentage_used: n('percentage_used'),
      approaching_hourly_limit: attrBoolean(e.attrs, 'approaching_hourly_limit'),
      approaching_daily_limit: attrBoolean(e.attrs, 'approaching_daily_limit'),
    };
  });
}
