import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../core/event.js';
import { deriveId, digest, isJsonObject, pickAttrs } from '../shared/fields.js';
import {
  documentFailure,
  documentRejectFromIssues,
  parseJsonDocument,
  stripBom,
} from '../shared/json-document.js';
import type { DocumentContext, DocumentResult, RejectReason } from '../types.js';
import { WFC_AGGREGATE_SUMMARISED_KEYS, WFC_AGGREGATE_WINDOW, WfcAggregate } from './schema.js';
import { summariseWindow } from './window.js';

export const WFC_AGGREGATE_ADAPTER = 'wfc-aggregate';
export const AGGREGATE_SNAPSHOT_TYPE = 'aggregate_snapshot';
/** Largest aggregate accepted: 100 task entries are ~20 KiB; this leaves ample room. */
export const WFC_AGGREGATE_MAX_BYTES = 8 * 1024 * 1024;

const NOTHING: DocumentResult = { events: [], rejects: [] };

function fail(reason: RejectReason, message: string): DocumentResult {
  return documentFailure({ reason, message, line: null });
}

/**
 * Parses `aggregate.json` into one `aggregate_snapshot` event (kind `resource`) whose id is
 * derived from the path and the content's digest, so re-reading unchanged content is
 * idempotent and every distinct content is one snapshot. Lifetime counters are copied to
 * `attrs`, with `success_rate`, `avg_duration_seconds` and a `window` summary of the last-100
 * `tasks`; no token columns (session-*.jsonl counts that usage). An empty document (the file
 * caught mid-rewrite) yields nothing.
 *
 * @example
 * parseWfcAggregateDocument('{"total_tasks": 2, "successful_tasks": 2, "failed_tasks": 0, "tasks": []}',
 *   { file, logicalPath: file, mtimeMs: Date.now(), previousDigest: null })
 * // { events: [{ type: 'aggregate_snapshot', attrs: { success_rate: 1, ... } }], rejects: [] }
 */
export function parseWfcAggregateDocument(text: string, ctx: DocumentContext): DocumentResult {
  if (Buffer.byteLength(text, 'utf8') > WFC_AGGREGATE_MAX_BYTES) {
    return fail('document_too_large', `document exceeds ${WFC_AGGREGATE_MAX_BYTES} bytes`);
  }
  const body = stripBom(text);
  if (body.trim() === '') return NOTHING;
  const json = parseJsonDocument(text);
  if (!json.ok) return documentFailure(json.reject);
  if (!isJsonObject(json.value)) {
    return fail('not_an_object', 'expected a JSON object at the top level');
  }
  const parsed = WfcAggregate.safeParse(json.value);
  if (!parsed.success) {
    return documentFailure(documentRejectFromIssues(parsed.error.issues, json.value));
  }
  const doc = parsed.data;
  const size = doc.window_size ?? WFC_AGGREGATE_WINDOW;
  const { summary, rejects } = summariseWindow(doc.tasks, size);
  const total = doc.total_tasks;
  const entry = lookupEventType(AGGREGATE_SNAPSHOT_TYPE);
  const event: VigilEvent = {
    ...EMPTY_EVENT_FIELDS,
    id: deriveId(WFC_AGGREGATE_ADAPTER, ctx.logicalPath, digest(body)),
    type: AGGREGATE_SNAPSHOT_TYPE,
    kind: entry?.kind ?? 'resource',
    ts: doc.updated_at ?? Math.floor(ctx.mtimeMs),
    status: entry?.status ?? null,
    message: `${total} tasks: ${doc.successful_tasks} succeeded, ${doc.failed_tasks} failed`,
    source: { adapter: WFC_AGGREGATE_ADAPTER, file: ctx.file, line: null, offset: null },
    attrs: {
      success_rate: total > 0 ? doc.successful_tasks / total : null,
      avg_duration_seconds:
        total > 0 && typeof doc.total_duration_seconds === 'number'
          ? doc.total_duration_seconds / total
          : null,
      ...pickAttrs(doc, WFC_AGGREGATE_SUMMARISED_KEYS),
      window: { ...summary },
    },
  };
  return { events: [event], rejects };
}
