import type { VigilEvent } from '../core/event.js';
import { EMPTY_EVENT_FIELDS } from '../core/vocabulary.js';

/**
 * An event in export form: the KPI tracker's field names where it has them (`event_id`, `event_type`,
 * `tokens_input`, `duration_seconds`, `error_message`, ...), snake_case for the rest.
 */
export function eventToExport(e: VigilEvent): Record<string, unknown> {
  return {
    event_id: e.id,
    event_type: e.type,
    kind: e.kind,
    timestamp: new Date(e.ts).toISOString(),
    task_id: e.taskId,
    session_id: e.sessionId,
    phase: e.phase,
    agent_role: e.agentRole,
    model: e.model,
    status: e.status,
    duration_seconds: e.durationMs === null ? null : e.durationMs / 1000,
    tokens_input: e.tokensIn,
    tokens_output: e.tokensOut,
    tokens_cache_read: e.tokensCacheRead,
    tokens_cache_write: e.tokensCacheWrite,
    cost_usd: e.costUsd,
    error_message: e.message,
    source_adapter: e.source.adapter,
    source_file: e.source.file,
    source_line: e.source.line,
    attrs: e.attrs,
  };
}

export const EXPORT_COLUMNS = Object.keys(
  eventToExport({
    id: '',
    type: '',
    kind: 'log',
    ts: 0,
    ...EMPTY_EVENT_FIELDS,
    source: { adapter: '', file: null, line: null, offset: null },
    attrs: {},
  }),
);

export function eventToCsvRow(e: VigilEvent): unknown[] {
  const o = eventToExport(e);
  return EXPORT_COLUMNS.map((c) =>
    c === 'attrs' ? (Object.keys(e.attrs).length ? JSON.stringify(e.attrs) : '') : o[c],
  );
}
