import { lookupEventType, type CatalogueEntry } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { isJsonObject, pickAttrs, str } from '../shared/fields.js';
import { validateRecord } from '../shared/zod-reject.js';
import type { LineContext, RecordResult } from '../types.js';
import {
  CS_BLOCK_THRESHOLD,
  ENVELOPE_KEYS,
  PASSING_TIERS,
  PAYLOAD_COLUMN_KEYS,
  PAYLOAD_SCHEMAS,
  WfcEventEnvelope,
} from './schema.js';

export const WFC_EVENTS_ADAPTER = 'wfc-events';

type Payload = Record<string, unknown>;

const NESTED_ENVELOPE_KEYS: ReadonlySet<string> = new Set([...ENVELOPE_KEYS, 'data']);
const NO_KEYS: ReadonlySet<string> = new Set();

/** Outcome words in a payload's `status`, mapped onto Vigil statuses. */
const STATED_STATUS: Readonly<Record<string, EventStatus>> = {
  success: 'success',
  succeeded: 'success',
  passed: 'success',
  ok: 'success',
  failed: 'failure',
  failure: 'failure',
  error: 'failure',
  in_progress: 'started',
  started: 'started',
  blocked: 'blocked',
  skipped: 'skipped',
  cancelled: 'cancelled',
  timeout: 'timeout',
};

/**
 * The payload of a line and where it sits: nested under `data` (when `data` is an object) or
 * spread at the top level next to `event` and `timestamp`, as `log_event` writes it.
 */
function splitPayload(record: Payload): { payload: Payload; prefix: string; extras: Payload } {
  const data = record['data'];
  if (isJsonObject(data)) {
    return {
      payload: pickAttrs(data, NO_KEYS),
      prefix: 'data',
      extras: pickAttrs(record, NESTED_ENVELOPE_KEYS),
    };
  }
  return { payload: pickAttrs(record, ENVELOPE_KEYS), prefix: '', extras: {} };
}

/** What the payload says about its outcome: `status` words first, then `success`. */
function statedStatus(payload: Payload): EventStatus | null {
  const word = typeof payload['status'] === 'string' ? payload['status'].toLowerCase() : '';
  if (Object.hasOwn(STATED_STATUS, word)) return STATED_STATUS[word] ?? null;
  const success = payload['success'];
  return typeof success === 'boolean' ? (success ? 'success' : 'failure') : null;
}

/**
 * A review passes when `passed` says so; without it, when its tier is informational or
 * moderate; without a tier, when CS < 7.0 (WFC's own rule). A failed review is `blocked`.
 */
function reviewStatus(payload: Payload, fallback: EventStatus | null): EventStatus | null {
  const { passed, tier, cs } = payload;
  if (typeof passed === 'boolean') return passed ? 'success' : 'blocked';
  if (typeof tier === 'string') return PASSING_TIERS.has(tier) ? 'success' : 'blocked';
  if (typeof cs === 'number') return cs < CS_BLOCK_THRESHOLD ? 'success' : 'blocked';
  return fallback;
}

function statusOf(
  type: string,
  payload: Payload,
  entry: CatalogueEntry | undefined,
): EventStatus | null {
  const fallback = entry?.status ?? null;
  switch (type) {
    case 'review_complete':
      return reviewStatus(payload, fallback);
    case 'drift_detected':
      return payload['recommendation'] === 'healthy' ? 'success' : fallback;
    default:
      return statedStatus(payload) ?? fallback;
  }
}

/**
 * Parses one WFC generic event (`~/.wfc/telemetry/events.jsonl`). Types named in seed 000 get
 * their kind and default status from the catalogue and their payload validated; any other
 * type is still ingested, as kind `log`. Ids are derived: WFC events carry none.
 *
 * @example
 * parseWfcEventRecord({ event: 'review_complete', timestamp: '2026-02-16T14:40:00',
 *   task_id: 'TASK-001', cs: 5.42, tier: 'moderate', findings_count: 3, mpr_applied: false }, ctx)
 * // one event: type review_complete, kind review, status success
 */
export function parseWfcEventRecord(record: Payload, ctx: LineContext): RecordResult {
  const envelope = validateRecord(WfcEventEnvelope, record);
  if (!envelope.ok) return envelope;
  const { event: type, timestamp, session_id: sessionId } = envelope.value;
  const { payload, prefix, extras } = splitPayload(record);
  const schema = Object.hasOwn(PAYLOAD_SCHEMAS, type) ? PAYLOAD_SCHEMAS[type] : undefined;
  const checked = schema === undefined ? null : validateRecord(schema, payload, { prefix });
  if (checked && !checked.ok) return checked;
  const entry = lookupEventType(type);
  const event: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: ctx.deriveId(),
    type,
    kind: entry?.kind ?? 'log',
    ts: timestamp,
    sessionId: sessionId ?? str(payload['session_id'], 256),
    taskId: str(payload['task_id'], 256),
    agentRole: str(payload['reviewer_id'], 128),
    model: str(payload['model'], 256),
    status: statusOf(type, payload, entry),
    message: str(payload['message'], 65_536) ?? str(payload['error'], 65_536),
    source: { adapter: WFC_EVENTS_ADAPTER, file: ctx.file, line: ctx.line, offset: ctx.offset },
    attrs: { ...extras, ...pickAttrs(payload, PAYLOAD_COLUMN_KEYS) },
  };
  return { ok: true, events: [event] };
}
