import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { deriveId, isJsonObject, pickAttrs, str } from '../shared/fields.js';
import {
  type DocumentReject,
  documentFailure,
  documentReject,
  documentRejectFromIssues,
  parseJsonDocument,
} from '../shared/json-document.js';
import { formatTimestamp, parseTimestamp } from '../shared/timestamp.js';
import type { FieldPathOptions } from '../shared/zod-reject.js';
import type { DocumentContext, DocumentResult } from '../types.js';
import { isLegacyResolutionDocument, legacyToLoops } from './legacy.js';
import {
  ATTEMPT_KNOWN_KEYS,
  LOOP_KNOWN_KEYS,
  ResolutionAttempt,
  ResolutionDocument,
  ResolutionLoop,
} from './schema.js';

const ADAPTER = 'wvo-resolution';
/** Field paths in this document are dotted: `loops.2.attempts.0.started_at`. */
const at = (prefix: string): FieldPathOptions => ({ prefix, style: 'dots' });

/** Loop status → Vigil status. */
export const LOOP_STATUS = {
  active: 'started',
  closed: 'success',
  abandoned: 'failure',
} as const satisfies Record<ResolutionLoop['status'], EventStatus>;

/** Attempt outcome → Vigil status. */
export const ATTEMPT_STATUS = {
  pending: 'started',
  success: 'success',
  failure: 'failure',
  timeout: 'timeout',
  cancelled: 'cancelled',
} as const satisfies Record<NonNullable<ResolutionAttempt['outcome']>, EventStatus>;

const asRecord = (v: unknown): Record<string, unknown> =>
  isJsonObject(v) ? Object.fromEntries(Object.entries(v)) : {};

/**
 * Parses `state/analytics/resolution_metrics.json`: one `resolution_loop` per loop state (id
 * from loop id, status and attempt count, so progress makes a new event and an unchanged
 * re-read none) and one `resolution_attempt` per attempt (id from loop id and attempt number).
 * A bad loop or attempt is rejected on its own; the rest still count.
 *
 * @example
 * parseResolutionDocument('{"loops":[{"loop_id":"L1","task_id":"T1","status":"active",
 *   "opened_at":"2026-02-16T14:00:00Z","attempts":[]}]}', ctx) // one resolution_loop
 */
export function parseResolutionDocument(text: string, ctx: DocumentContext): DocumentResult {
  const json = parseJsonDocument(text, { errorLine: true });
  if (!json.ok) return documentFailure(json.reject);
  if (!isJsonObject(json.value)) {
    return documentFailure(documentReject('(root)', 'expected a JSON object with "loops"'));
  }
  const doc = asRecord(json.value);
  const loops = isLegacyResolutionDocument(doc) ? legacyToLoops(doc) : doc['loops'];
  const parsed = ResolutionDocument.safeParse({ ...doc, loops });
  if (!parsed.success) {
    return documentFailure(documentRejectFromIssues(parsed.error.issues, doc, at('')));
  }

  const events: VigilEvent[] = [];
  const rejects: DocumentReject[] = [];
  parsed.data.loops.forEach((raw, i) => {
    const loop = ResolutionLoop.safeParse(raw);
    if (loop.success) parseLoop(loop.data, `loops.${i}`, ctx, events, rejects);
    else rejects.push(documentRejectFromIssues(loop.error.issues, raw, at(`loops.${i}`)));
  });
  return { events, rejects };
}

function parseLoop(
  l: ResolutionLoop,
  path: string,
  ctx: DocumentContext,
  events: VigilEvent[],
  rejects: DocumentReject[],
): void {
  const source = { adapter: ADAPTER, file: ctx.file, line: null, offset: null };
  const loopId = str(l.loop_id, 256) ?? '';
  const common = {
    ...EMPTY_EVENT_FIELDS,
    kind: 'resolution',
    taskId: str(l.task_id, 256),
    sessionId: str(l.run_id, 256),
    source,
  } as const;
  const attempts: ResolutionAttempt[] = [];
  (l.attempts ?? []).forEach((raw, j) => {
    const parsed = ResolutionAttempt.safeParse(raw);
    if (!parsed.success) {
      rejects.push(documentRejectFromIssues(parsed.error.issues, raw, at(`${path}.attempts.${j}`)));
      return;
    }
    const a = parsed.data;
    if (attempts.some((b) => b.attempt === a.attempt)) {
      rejects.push(
        documentReject(
          `${path}.attempts.${j}.attempt`,
          `attempt ${a.attempt} appears twice in loop ${loopId}; number attempts uniquely`,
        ),
      );
      return;
    }
    attempts.push(a);
    const started = parseTimestamp(a.started_at) ?? ctx.mtimeMs;
    const finished = a.finished_at === undefined ? null : parseTimestamp(a.finished_at);
    events.push({
      ...common,
      id: deriveId(ADAPTER, loopId, a.attempt),
      type: 'resolution_attempt',
      ts: started,
      status: a.outcome === undefined ? null : ATTEMPT_STATUS[a.outcome],
      durationMs:
        a.duration_ms ?? (finished !== null && finished >= started ? finished - started : null),
      message: a.incident ?? null,
      attrs: {
        ...pickAttrs(asRecord(raw), ATTEMPT_KNOWN_KEYS),
        loop_id: loopId,
        attempt: a.attempt,
        outcome: a.outcome ?? null,
        label: a.label ?? null,
        incident: a.incident ?? null,
        finished_at: finished === null ? null : formatTimestamp(finished),
      },
    });
  });

  const attemptCount = Math.max(
    l.attempt_count ?? 0,
    attempts.length,
    ...attempts.map((a) => a.attempt),
  );
  const last = attempts.reduce<ResolutionAttempt | null>(
    (m, a) => (m === null || a.attempt > m.attempt ? a : m),
    null,
  );
  const opened = parseTimestamp(l.opened_at) ?? ctx.mtimeMs;
  const closed =
    l.closed_at === undefined || l.closed_at === null ? null : parseTimestamp(l.closed_at);
  const lastTs = last === null ? null : parseTimestamp(last.started_at);
  events.push({
    ...common,
    id: deriveId(ADAPTER, loopId, l.status, attemptCount),
    type: 'resolution_loop',
    ts: (l.status === 'active' ? null : closed) ?? lastTs ?? opened,
    status: LOOP_STATUS[l.status],
    durationMs: closed !== null && closed >= opened ? closed - opened : null,
    attrs: {
      ...pickAttrs(asRecord(l), LOOP_KNOWN_KEYS),
      loop_id: loopId,
      loop_status: l.status,
      attempt_count: attemptCount,
      incident_count: l.incidents ?? attempts.filter((a) => a.incident !== undefined).length,
      opened_at: formatTimestamp(opened),
      closed_at: closed === null ? null : formatTimestamp(closed),
      last_outcome: last?.outcome ?? null,
      last_label: last?.label ?? str(l['last_label']),
      run_id: str(l.run_id, 256),
    },
  });
}
