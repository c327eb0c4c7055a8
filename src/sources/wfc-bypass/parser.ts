import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../core/event.js';
import { deriveId } from '../shared/fields.js';
import { isJsonObject } from '../shared/fields.js';
import {
  type DocumentReject,
  documentFailure,
  documentReject,
  parseDocumentItem,
  parseJsonDocument,
} from '../shared/json-document.js';
import type { DocumentContext, DocumentResult } from '../types.js';
import { BYPASS_SHAPE_HINT, BypassRecord } from './schema.js';

export const WFC_BYPASS_ADAPTER = 'wfc-bypass';

const ACTIVATED = lookupEventType('bypass_activated');

type Records =
  | { readonly ok: true; readonly records: readonly unknown[] }
  | { readonly ok: false; readonly reject: DocumentReject };

/** Accepts both shapes: a bare array, or an object whose `bypasses` is the array. */
function recordsOf(root: unknown): Records {
  if (Array.isArray(root)) return { ok: true, records: root };
  if (!isJsonObject(root)) {
    return {
      ok: false,
      reject: { reason: 'invalid_document', line: null, message: BYPASS_SHAPE_HINT },
    };
  }
  const list = root['bypasses'];
  if (Array.isArray(list)) return { ok: true, records: list };
  const detail =
    list === undefined ? `required field is missing (${BYPASS_SHAPE_HINT})` : BYPASS_SHAPE_HINT;
  return { ok: false, reject: documentReject('bypasses', detail) };
}

/** The activation's id: the record's own `bypass_id`, else its task and creation time. */
function activationId(b: BypassRecord): string {
  return b.bypass_id === undefined
    ? deriveId(WFC_BYPASS_ADAPTER, b.task_id, b.created_at)
    : deriveId(WFC_BYPASS_ADAPTER, b.bypass_id);
}

/**
 * Parses WFC's `BYPASS-AUDIT.json` into one `bypass_activated` event per record, plus a
 * `bypass_revoked` event for each revoked one (ids are stable, so a revocation written after
 * the first read still arrives as a new event). Bad records are rejected one by one.
 *
 * @example
 * const { events } = parseWfcBypassAudit(readFileSync(file, 'utf8'), ctx);
 * events[0]?.attrs['expiresAtMs'] // epoch ms
 */
export function parseWfcBypassAudit(text: string, ctx: DocumentContext): DocumentResult {
  const doc = parseJsonDocument(text);
  if (!doc.ok) return documentFailure(doc.reject);
  const shape = recordsOf(doc.value);
  if (!shape.ok) return documentFailure(shape.reject);

  const source = { adapter: WFC_BYPASS_ADAPTER, file: ctx.file, line: null, offset: null };
  const events: VigilEvent[] = [];
  const rejects: DocumentReject[] = [];
  const seen = new Map<string, number>();
  shape.records.forEach((raw, index) => {
    const prefix = `bypasses[${index}]`;
    const parsed = parseDocumentItem(raw, BypassRecord, prefix);
    if (!parsed.ok) {
      rejects.push(parsed.reject);
      return;
    }
    const b = parsed.value;
    const id = activationId(b);
    const first = seen.get(id);
    if (first !== undefined) {
      rejects.push(
        documentReject(
          prefix,
          `duplicate of bypasses[${first}] (same bypass_id, or same task_id and created_at)`,
        ),
      );
      return;
    }
    seen.set(id, index);
    const revokedAt = b.revoked_at ?? null;
    events.push({
      ...EMPTY_EVENT_FIELDS,
      id,
      type: 'bypass_activated',
      kind: ACTIVATED?.kind ?? 'bypass',
      ts: b.created_at,
      taskId: b.task_id,
      status: ACTIVATED?.status ?? 'started',
      message: b.reason,
      source,
      attrs: {
        bypassId: b.bypass_id ?? null,
        reason: b.reason,
        by: b.bypassed_by,
        tier: b.tier,
        csAtBypass: b.cs_at_bypass,
        expiresAtMs: b.expires_at,
        revoked: revokedAt !== null,
        revokedAtMs: revokedAt,
      },
    });
    if (revokedAt === null) return;
    // Not in the catalogue: a revocation is its own fact, so it needs its own immutable event.
    events.push({
      ...EMPTY_EVENT_FIELDS,
      id: deriveId(WFC_BYPASS_ADAPTER, id, 'revoked'),
      type: 'bypass_revoked',
      kind: 'bypass',
      ts: revokedAt,
      taskId: b.task_id,
      status: 'cancelled',
      message: b.reason,
      source,
      attrs: {
        bypassId: b.bypass_id ?? null,
        activationId: id,
        by: b.revoked_by ?? null,
        expiresAtMs: b.expires_at,
      },
    });
  });
  return { events, rejects };
}
