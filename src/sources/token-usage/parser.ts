import { lookupEventType } from '../../core/catalogue.js';
import type { VigilEvent } from '../../core/event.js';
import { deriveId, pickAttrs } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';
import { fieldReject, rejectFromIssues } from '../shared/zod-reject.js';
import type { LineContext, RecordResult, Reject } from '../types.js';
import { TOKEN_USAGE_ALIASES, TOKEN_USAGE_COLUMN_KEYS, TokenUsageLine } from './schema.js';

export const TOKEN_USAGE_ADAPTER_NAME = 'token-usage';
const EVENT_TYPE = 'token_usage';

/**
 * The record with aliases copied to their canonical names (canonical wins), and which alias
 * supplied each canonical field, so a reject can name the field the line actually had.
 */
function resolveAliases(record: Record<string, unknown>): {
  readonly resolved: Record<string, unknown>;
  readonly usedAlias: ReadonlyMap<string, string>;
} {
  const resolved: Record<string, unknown> = { ...record };
  const usedAlias = new Map<string, string>();
  for (const [canonical, aliases] of Object.entries(TOKEN_USAGE_ALIASES)) {
    if (resolved[canonical] !== undefined) continue;
    const alias = aliases.find((a) => record[a] !== undefined);
    if (alias === undefined) continue;
    resolved[canonical] = record[alias];
    usedAlias.set(canonical, alias);
  }
  return { resolved, usedAlias };
}

/**
 * The reject for a failed parse. Only required fields fail when absent, so an absent field is
 * always "missing" (`rejectFromIssues` cannot tell for `timestamp`, whose union reports no
 * type); a failure on a value read through an alias names the alias the line carried.
 */
function toReject(
  issues: Parameters<typeof rejectFromIssues>[0],
  resolved: Record<string, unknown>,
  usedAlias: ReadonlyMap<string, string>,
): Reject {
  const reject = rejectFromIssues(issues, resolved);
  const field = reject.field;
  if (field === undefined) return reject;
  if (resolved[field] === undefined) {
    return { ...reject, message: `${field}: required field is missing` };
  }
  const alias = usedAlias.get(field);
  return alias === undefined
    ? reject
    : { ...reject, field: alias, message: alias + reject.message.slice(field.length) };
}

/**
 * Parses one `.droid_token_usage.jsonl` line into a `token_usage` event (kind `llm_call`,
 * status `success`) carrying the call's tokens. A missing or ill-typed field is a `schema`
 * reject naming it (`input_tokens: required field is missing`), which the CLI turns into exit
 * code 2 (seed 003, failure matrix row 4). With a `request_id`, the id is derived from it alone,
 * so a call logged twice is counted once.
 *
 * @example
 * parseTokenUsageRecord({ timestamp: '2026-02-16T14:30:12.482913', model: 'gpt-5.3-codex',
 *   input_tokens: 1500, output_tokens: 800, request_id: 'req_01HZX3' }, ctx)
 * // → one event: id deriveId('token-usage', 'req_01HZX3'), tokensIn 1500, tokensOut 800
 */
export function parseTokenUsageRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  const { resolved, usedAlias } = resolveAliases(record);
  const parsed = TokenUsageLine.safeParse(resolved);
  if (!parsed.success) {
    return { ok: false, reject: toReject(parsed.error.issues, resolved, usedAlias) };
  }
  const u = parsed.data;
  const ts = parseTimestamp(u.timestamp);
  if (ts === null) {
    return { ok: false, reject: fieldReject('timestamp', 'expected an ISO-8601 date-time') };
  }
  const entry = lookupEventType(EVENT_TYPE);
  const durationMs =
    u.duration_ms ??
    (u.duration_seconds === null || u.duration_seconds === undefined
      ? null
      : u.duration_seconds * 1000);

  const event: VigilEvent = {
    id: u.request_id ? deriveId(TOKEN_USAGE_ADAPTER_NAME, u.request_id) : ctx.deriveId(),
    type: EVENT_TYPE,
    kind: entry?.kind ?? 'llm_call',
    ts,
    sessionId: u.session_id || null,
    taskId: u.task_id || null,
    phase: null,
    agentRole: null,
    model: u.model,
    status: entry?.status ?? 'success',
    durationMs,
    tokensIn: u.input_tokens,
    tokensOut: u.output_tokens,
    tokensCacheRead: u.cache_read_tokens ?? null,
    tokensCacheWrite: u.cache_write_tokens ?? null,
    costUsd: u.cost_usd ?? null,
    message: null,
    source: {
      adapter: TOKEN_USAGE_ADAPTER_NAME,
      file: ctx.file,
      line: ctx.line,
      offset: ctx.offset,
    },
    attrs: pickAttrs(record, TOKEN_USAGE_COLUMN_KEYS),
  };
  return { ok: true, events: [event] };
}
