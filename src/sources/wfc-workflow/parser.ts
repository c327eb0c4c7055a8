import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { pickAttrs } from '../shared/fields.js';
import { validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import { WFC_WORKFLOW_COLUMN_KEYS, WfcWorkflowMetric } from './schema.js';

export const WFC_WORKFLOW_ADAPTER = 'wfc-workflow';
export const WORKFLOW_METRICS_TYPE = 'workflow_metrics';

/**
 * Parses one `workflow_metrics.jsonl` line into a `workflow_metrics` event (kind `resource`).
 * Token counts stay in `attrs` only (tokensIn/tokensOut are null): the same usage is counted
 * from AutoTelemetry's `session-*.jsonl`, and would be counted twice otherwise.
 *
 * @example
 * parseWfcWorkflowRecord({ timestamp: '2026-02-16T14:33:17', task_id: 'TASK-001',
 *   complexity: 'S', success: true, tokens_input: 12840, tokens_output: 3215 }, ctx)
 * // attrs.tokens_input === 12840, tokensIn === null
 */
export function parseWfcWorkflowRecord(
  record: Record<string, unknown>,
  ctx: LineContext,
): RecordResult {
  const parsed = validateRecord(WfcWorkflowMetric, record);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  const entry = lookupEventType(WORKFLOW_METRICS_TYPE);
  let status: EventStatus | null = entry?.status ?? null;
  if (typeof m.success === 'boolean') status = m.success ? 'success' : 'failure';
  const event: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: ctx.deriveId(),
    type: WORKFLOW_METRICS_TYPE,
    kind: entry?.kind ?? 'resource',
    ts: m.timestamp,
    sessionId: m.session_id ?? null,
    taskId: m.task_id,
    model: m.model ?? null,
    status,
    durationMs: m.duration_ms ?? null,
    source: { adapter: WFC_WORKFLOW_ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset },
    attrs: pickAttrs(record, WFC_WORKFLOW_COLUMN_KEYS),
  };
  return { ok: true, events: [event] };
}
