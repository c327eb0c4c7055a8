import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { pickAttrs } from '../shared/fields.js';
import { validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import { sessionIdFromPath } from './paths.js';
import { WFC_SESSION_COLUMN_KEYS, WfcTaskMetrics, type WfcTaskStatus } from './schema.js';

export const WFC_SESSION_ADAPTER = 'wfc-session';
export const TASK_METRICS_TYPE = 'task_metrics';

const STATUS_MAP = {
  success: 'success',
  failed: 'failure',
  failure: 'failure',
  in_progress: 'started',
} as const satisfies Record<WfcTaskStatus, EventStatus>;

/**
 * Parses one AutoTelemetry `TaskMetrics` line into a `task_metrics` event (kind `task`). The
 * tokens are real usage and go to the token columns; complexity, tests, review and thinking
 * metrics go to `attrs`.
 *
 * @example
 * parseWfcSessionRecord({ task_id: 'TASK-001', complexity: 'M', status: 'success',
 *   timestamp: '2026-02-16T14:32:30', duration_seconds: 150, tokens_input: 1500,
 *   tokens_output: 800 }, ctx) // { ok: true, events: [{ type: 'task_metrics', ... }] }
 */
export function parseWfcSessionRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  const parsed = validateRecord(WfcTaskMetrics, record);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  const entry = lookupEventType(TASK_METRICS_TYPE);
  const status: EventStatus = m.status ? STATUS_MAP[m.status] : (entry?.status ?? 'unknown');
  const event: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: ctx.deriveId(),
    type: TASK_METRICS_TYPE,
    kind: entry?.kind ?? 'task',
    ts: m.timestamp,
    sessionId: m.session_id ?? sessionIdFromPath(ctx.logicalPath),
    taskId: m.task_id,
    model: m.model ?? null,
    status,
    durationMs:
      m.duration_seconds === null || m.duration_seconds === undefined
        ? null
        : Math.round(m.duration_seconds * 1000),
    tokensIn: m.tokens_input ?? null,
    tokensOut: m.tokens_output ?? null,
    tokensCacheRead: m.tokens_cache_read ?? null,
    tokensCacheWrite: m.tokens_cache_write ?? null,
    source: { adapter: WFC_SESSION_ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset },
    attrs: pickAttrs(record, WFC_SESSION_COLUMN_KEYS),
  };
  return { ok: true, events: [event] };
}
