import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../core/event.js';
import { deriveId, isJsonObject, pickAttrs, str } from '../shared/fields.js';
import {
  type DocumentReject,
  documentFailure,
  documentReject,
  documentRejectFromIssues,
  parseJsonDocument,
} from '../shared/json-document.js';
import { formatTimestamp, parseTimestamp } from '../shared/timestamp.js';
import type { DocumentContext, DocumentResult } from '../types.js';
import { PROVIDER_KNOWN_KEYS, ProviderUsage, UsageLog } from './schema.js';

const ADAPTER = 'wvo-usage';

const isoOrNull = (v: unknown): string | null => {
  const t = parseTimestamp(v);
  return t === null ? null : formatTimestamp(t);
};

/**
 * Parses `state/limits/usage_log.json` into one `provider_usage` event per provider. The
 * numbers are a snapshot of running totals, so they go into attrs, never into
 * `tokensIn`/`tokensOut`/`costUsd` (which rollups add up). The id comes from the provider and
 * the snapshot time: an unchanged snapshot re-read is the same event.
 *
 * @example
 * parseUsageDocument('{"last_saved":"2026-02-16T15:00:00Z","providers":{"claude":{"usage":
 *   {"current_hour":{"requests":42,"tokens":180000}}}}}', ctx) // attrs.hour_tokens === 180000
 */
export function parseUsageDocument(text: string, ctx: DocumentContext): DocumentResult {
  const json = parseJsonDocument(text, { errorLine: true });
  if (!json.ok) return documentFailure(json.reject);
  if (!isJsonObject(json.value)) {
    return documentFailure(documentReject('(root)', 'expected a JSON object with "providers"'));
  }
  const parsed = UsageLog.safeParse(json.value);
  if (!parsed.success) {
    return documentFailure(
      documentRejectFromIssues(parsed.error.issues, json.value, { style: 'dots' }),
    );
  }
  const savedTs =
    parsed.data.last_saved === undefined ? null : parseTimestamp(parsed.data.last_saved);
  const providers = parsed.data.providers;
  const entries: [string, unknown][] = Array.isArray(providers)
    ? providers.map((p, i) => [String(i), p])
    : Object.entries(providers);

  const events: VigilEvent[] = [];
  const rejects: DocumentReject[] = [];
  for (const [key, raw] of entries) {
    const entry = ProviderUsage.safeParse(raw);
    if (!entry.success) {
      rejects.push(
        documentRejectFromIssues(entry.error.issues, raw, {
          prefix: `providers.${key}`,
          style: 'dots',
        }),
      );
      continue;
    }
    const p = entry.data;
    const provider = p.provider ?? (Array.isArray(providers) ? null : key);
    if (provider === null) {
      rejects.push(
        documentReject(`providers.${key}.provider`, 'required field is missing: name the provider'),
      );
      continue;
    }
    const ts =
      (p.updated_at === undefined ? null : parseTimestamp(p.updated_at)) ?? savedTs ?? ctx.mtimeMs;
    const hour = p.usage.current_hour;
    const day = p.usage.current_day;
    const record = Object.fromEntries(Object.entries(p));
    events.push({
      ...EMPTY_EVENT_FIELDS,
      id: deriveId(ADAPTER, provider, ts),
      type: 'provider_usage',
      kind: 'llm_call',
      ts,
      source: { adapter: ADAPTER, file: ctx.file, line: null, offset: null },
      attrs: {
        ...pickAttrs(record, PROVIDER_KNOWN_KEYS),
        provider: str(provider, 128),
        snapshot_at: formatTimestamp(ts),
        hour_requests: hour?.requests ?? null,
        hour_tokens: hour?.tokens ?? null,
        hour_cost_usd: hour?.cost_usd ?? null,
        hour_window_start: isoOrNull(hour?.window_start),
        day_requests: day?.requests ?? null,
        day_tokens: day?.tokens ?? null,
        day_cost_usd: day?.cost_usd ?? null,
        day_window_start: isoOrNull(day?.window_start),
        hour_request_limit: p.limits?.hourly_requests ?? null,
        hour_token_limit: p.limits?.hourly_tokens ?? null,
        day_request_limit: p.limits?.daily_requests ?? null,
        day_token_limit: p.limits?.daily_tokens ?? null,
        percentage_used: p.warnings?.percentage_used ?? null,
        approaching_hourly_limit: p.warnings?.approaching_hourly_limit ?? null,
        approaching_daily_limit: p.warnings?.approaching_daily_limit ?? null,
      },
    });
  }
  return { events, rejects };
}
