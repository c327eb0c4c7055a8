import type { PluginEvent } from '../../sdk.js';

/** Record levels: INFO, WARN (failures, rejections, warnings, bypasses), ERROR (errors). */
export type RecordLevel = 'INFO' | 'WARN' | 'ERROR';

/** Statuses that make a record WARN: something failed, was rejected or warned. */
const WARN_STATUSES: ReadonlySet<string> = new Set(['failure', 'timeout', 'blocked', 'warned']);

/**
 * The level of an event's record: ERROR for errors (type `error`, or a `log` event that
 * failed), WARN for failures, timeouts, blocks (rejected reviews, blocked gates, workflow
 * violations), warnings and every `bypass` event, INFO otherwise.
 *
 * @example
 * recordLevel({ event_type: 'task_end', kind: 'task', status: 'failure' }) // 'WARN'
 */
export function recordLevel(
  event: Pick<PluginEvent, 'event_type' | 'kind' | 'status'>,
): RecordLevel {
  if (event.event_type === 'error' || (event.kind === 'log' && event.status === 'failure')) {
    return 'ERROR';
  }
  if (event.kind === 'bypass') return 'WARN';
  if (event.status !== null && WARN_STATUSES.has(event.status)) return 'WARN';
  return 'INFO';
}

export interface StructuredRecordOptions {
  /** First part of `source` (`<prefix>.<kind>`); `wfc` gives seed 000's `wfc.review`. */
  sourcePrefix?: string;
  /** Add the event's free-form attributes as `attrs`. */
  includeAttrs?: boolean;
}

type Attrs = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
const isoOrNull = (v: unknown): string | null => {
  const ms = num(v);
  return ms === null ? text(v) : new Date(ms).toISOString();
};

/** Review fields as the WFC adapters store them (`cs`, `tier`, `passed`, `mpr_applied`, ...). */
function reviewFields(e: PluginEvent, a: Attrs): Attrs {
  if (e.event_type === 'review_finding') {
    return {
      reviewer: e.agent_role,
      file: text(a['file']),
      line_start: num(a['line_start']),
      line_end: num(a['line_end']),
      category: text(a['category']),
      severity: num(a['severity']),
      severity_tier: text(a['severity_tier']),
      reviewers: strings(a['reviewers']),
    };
  }
  const passed =
    bool(a['passed']) ??
    (e.status === 'success'
      ? true
      : e.status === 'blocked' || e.status === 'failure'
        ? false
        : null);
  return {
    consensus_score: num(a['cs']) ?? num(a['consensus_score']),
    tier: text(a['tier']),
    passed,
    findings_count: num(a['findings_count']),
    mpr_applied: bool(a['mpr_applied']),
    reviewers: strings(a['reviewers']),
  };
}

/** Bypass fields as the WFC bypass adapter stores them. */
function bypassFields(a: Attrs): Attrs {
  return {
    bypass_id: text(a['bypassId']),
    reason: text(a['reason']),
    by: text(a['by']),
    tier: text(a['tier']),
    cs_at_bypass: num(a['csAtBypass']),
    expires_at: isoOrNull(a['expiresAtMs']),
    revoked: bool(a['revoked']),
  };
}

/** Knowledge and drift fields as the WFC adapters store them. */
function knowledgeFields(e: PluginEvent, a: Attrs): Attrs {
  return {
    reviewer: e.agent_role ?? text(a['reviewer_id']),
    section: text(a['section']),
    entries_added: num(a['entries_added']),
    drift_score: num(a['drift_score']),
    recommendation: text(a['recommendation']),
    signals: Array.isArray(a['signals']) ? a['signals'] : null,
  };
}

function kindFields(e: PluginEvent): Attrs {
  const a = e.attrs;
  switch (e.kind) {
    case 'review':
      return reviewFields(e, a);
    case 'bypass':
      return bypassFields(a);
    case 'knowledge':
      return knowledgeFields(e, a);
    default:
      return {};
  }
}

function tokenFields(e: PluginEvent): Attrs {
  const parts = [e.tokens_input, e.tokens_output];
  const total = parts.every((t) => t === null)
    ? null
    : parts.reduce<number>((s, t) => s + (t ?? 0), 0);
  return {
    tokens: total,
    tokens_input: e.tokens_input,
    tokens_output: e.tokens_output,
    tokens_cache_read: e.tokens_cache_read,
    tokens_cache_write: e.tokens_cache_write,
  };
}

/**
 * One event as a record of seed 000's structured log export: `timestamp, level, source,
 * event_type, task_id`, then the kind's own fields (reviews: `consensus_score, tier, passed,
 * findings_count, mpr_applied, reviewers`), then `status, model, duration_seconds, tokens,
 * cost_usd, session_id, agent_role, phase, message, kind, event_id, seq`. Null and missing
 * values are left out. docs/log-export.md has the full mapping.
 *
 * @example
 * toStructuredRecord(reviewEvent, { sourcePrefix: 'wfc' })
 * // { timestamp: '2026-02-17T14:30:00.000Z', level: 'INFO', source: 'wfc.review',
 * //   event_type: 'review_complete', task_id: 'TASK-001', consensus_score: 5.42, ... }
 */
export function toStructuredRecord(
  event: PluginEvent,
  options: StructuredRecordOptions = {},
): Record<string, unknown> {
  const full: Attrs = {
    timestamp: event.timestamp,
    level: recordLevel(event),
    source: `${options.sourcePrefix ?? 'vigil'}.${event.kind}`,
    event_type: event.event_type,
    task_id: event.task_id,
    ...kindFields(event),
    status: event.status,
    model: event.model,
    duration_seconds: event.duration_seconds,
    ...tokenFields(event),
    cost_usd: event.cost_usd,
    session_id: event.session_id,
    agent_role: event.agent_role,
    phase: event.phase,
    message: event.error_message,
    kind: event.kind,
    event_id: event.event_id,
    seq: event.seq,
    attrs: options.includeAttrs && Object.keys(event.attrs).length > 0 ? event.attrs : null,
  };
  const record: Attrs = {};
  for (const [key, value] of Object.entries(full)) {
    if (value !== null && value !== undefined && !(key in record)) record[key] = value;
  }
  return record;
}

/**
 * True when the `include_types` / `include_kinds` filters let an event through: with neither
 * set, every event; otherwise an event whose type is listed or whose kind is listed.
 *
 * @example
 * matchesFilters({ event_type: 'error', kind: 'log' }, { include_kinds: ['review'] }) // false
 */
export function matchesFilters(
  event: Pick<PluginEvent, 'event_type' | 'kind'>,
  filters: { include_types?: readonly string[]; include_kinds?: readonly string[] },
): boolean {
  const { include_types: types, include_kinds: kinds } = filters;
  if (types === undefined && kinds === undefined) return true;
  return (types?.includes(event.event_type) ?? false) || (kinds?.includes(event.kind) ?? false);
}
