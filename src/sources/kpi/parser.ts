import type { z } from 'zod';

import { lookupEventType } from '../../core/catalogue.js';
import type { EventStatus, VigilEvent } from '../../core/event.js';
import { parseTimestamp } from '../shared/timestamp.js';
import { pickAttrs } from '../shared/fields.js';
import type { LineContext, RecordResult, Reject } from '../types.js';
import { KPI_KNOWN_KEYS, KpiEvent } from './schema.js';

/** Turns the first zod issue into a reject that names the field (`tokens_input: ...`). */
export function rejectFromIssues(
  issues: readonly z.core.$ZodIssue[],
  record: Record<string, unknown>,
): Reject {
  const issue = issues[0];
  const field = issue?.path.map(String).join('.') || '(root)';
  const top = issue?.path[0];
  const missing =
    issue?.code === 'invalid_type' && typeof top === 'string' && record[top] === undefined;
  const message = missing
    ? `${field}: required field is missing`
    : `${field}: ${issue?.message ?? 'invalid'}`;
  const unknownType = field === 'event_type' && !missing;
  return { reason: unknownType ? 'unknown_type' : 'schema', message, field };
}

/**
 * Parses one seed-003 KPI record into a canonical event.
 *
 * @example
 * parseKpiRecord({ event_id: '550e8400-e29b-41d4-a716-446655440001', event_type: 'task_start',
 *   timestamp: '2026-02-16T14:30:00Z', task_id: 'task_abc123', model: 'gpt-5.3-codex' }, ctx)
 */
export function parseKpiRecord(record: Record<string, unknown>, ctx: LineContext): RecordResult {
  const parsed = KpiEvent.safeParse(record);
  if (!parsed.success) return { ok: false, reject: rejectFromIssues(parsed.error.issues, record) };
  const k = parsed.data;
  const ts = parseTimestamp(k.timestamp);
  if (ts === null) {
    return {
      ok: false,
      reject: { reason: 'schema', field: 'timestamp', message: 'timestamp: expected an ISO-8601 date-time such as 2026-02-16T14:30:00Z' },
    };
  }
  const entry = lookupEventType(k.event_type);
  let status: EventStatus | null = k.status ?? entry?.status ?? null;
  if (k.event_type === 'error') status = 'failure';
  const event: VigilEvent = {
    id: k.event_id.toLowerCase(),
    type: k.event_type,
    kind: entry?.kind ?? 'log',
    ts,
    sessionId: k.session_id ?? null,
    taskId: k.task_id,
    phase: null,
    agentRole: null,
    model: k.model ?? null,
    status,
    durationMs: k.duration_seconds === undefined ? null : k.duration_seconds * 1000,
    tokensIn: k.tokens_input ?? null,
    tokensOut: k.tokens_output ?? null,
    tokensCacheRead: k.tokens_cache_read ?? null,
    tokensCacheWrite: k.tokens_cache_write ?? null,
    costUsd: k.cost_usd ?? null,
    message: k.error_message ?? null,
    source: { adapter: 'kpi', file: ctx.file, line: ctx.line, offset: ctx.offset },
    attrs: pickAttrs(record, KPI_KNOWN_KEYS),
  };
  return { ok: true, events: [event] };
}
