import type { BatchFold } from './batch-fold.js';
import type { EventKind, EventStatus, VigilEvent } from './event.js';
import { hash53 } from './hash.js';

/**
 * The body hash of the event at index `i` of an encoding (computed on demand: only
 * duplicates need it).
 */
export function encodedBodyHash(enc: EncodedEvents, i: number): number {
  const cached = enc.values[i * STRIDE + 2];
  if (typeof cached === 'number') return cached;
  const h = bodyHashOf(decodeEvent(enc, i), enc.values[i * STRIDE + 23] as string | null);
  enc.values[i * STRIDE + 2] = h;
  return h;
}

/**
 * A flat, columnar encoding of events: `STRIDE` values per event in `values`, in the order of
 * `ENCODED_FIELDS`. Cheap to build in a worker, to post between threads (primitives only) and
 * to bind to SQL, and it carries the dedupe hashes so the writer need not recompute them.
 */
export const ENCODED_FIELDS = [
  'id',
  'idHash',
  'bodyHash',
  'type',
  'kind',
  'ts',
  'sessionId',
  'taskId',
  'phase',
  'agentRole',
  'model',
  'status',
  'durationMs',
  'tokensIn',
  'tokensOut',
  'tokensCacheRead',
  'tokensCacheWrite',
  'costUsd',
  'message',
  'adapter',
  'file',
  'line',
  'offset',
  'attrs',
] as const;
export const STRIDE = ENCODED_FIELDS.length;

/** Offsets of each field within an event's slice of `values`. */
export const F = Object.fromEntries(ENCODED_FIELDS.map((f, i) => [f, i])) as {
  readonly [K in (typeof ENCODED_FIELDS)[number]]: number;
};

export interface EncodedEvents {
  count: number;
  values: unknown[];
  /**
   * The fold of all `count` events in order (see `foldEncodedEvent`), when the producer
   * computed it while encoding (the in-thread parser does): a writer that stores every event of
   * the batch uses it instead of folding again; one that finds duplicates folds the stored
   * events itself.
   */
  fold?: BatchFold;
}

/**
 * The previous flat attributes (keys and primitive values, in order) and their JSON: lines in
 * a row often carry the same agent, repo and branch, and reusing one string saves the
 * stringify and lets every later stage compare by reference.
 */
const lastAttrKeys: string[] = [];
const lastAttrValues: unknown[] = [];
let lastAttrJson: string | null = null;

function attrsJson(attrs: Record<string, unknown>): string | null {
  let n = 0;
  let same = lastAttrJson !== null;
  let flat = true;
  for (const key in attrs) {
    const value = attrs[key];
    if (typeof value === 'object' && value !== null) flat = false;
    if (same && (lastAttrKeys[n] !== key || lastAttrValues[n] !== value)) same = false;
    n += 1;
  }
  if (n === 0) return null;
  if (same && flat && n === lastAttrKeys.length) return lastAttrJson;
  const json = JSON.stringify(attrs);
  lastAttrJson = null;
  if (flat) {
    lastAttrKeys.length = 0;
    lastAttrValues.length = 0;
    for (const key in attrs) {
      lastAttrKeys.push(key);
      lastAttrValues.push(attrs[key]);
    }
    lastAttrJson = json;
  }
  return json;
}

/**
 * A hash of what an event says (not where it was read): a replay of the same line hashes the
 * same, a different body under the same id does not (counted as a conflict).
 */
export function bodyHashOf(e: VigilEvent, attrs: string | null): number {
  return hash53(
    `${e.type}\u0001${e.kind}\u0001${e.ts}\u0001${e.status}\u0001${e.taskId}\u0001${e.sessionId}\u0001${e.phase}\u0001${e.agentRole}\u0001${e.model}\u0001${e.tokensIn}\u0001${e.tokensOut}\u0001${e.tokensCacheRead}\u0001${e.tokensCacheWrite}\u0001${e.costUsd}\u0001${e.durationMs}\u0001${e.message}\u0001${attrs}`,
  );
}

/** Appends one event to an encoding. */
export function encodeInto(enc: EncodedEvents, e: VigilEvent): void {
  const v = enc.values;
  const o = enc.count * STRIDE;
  const attrs = attrsJson(e.attrs);
  v[o] = e.id;
  v[o + 1] = hash53(e.id);
  // The body hash is only needed when the id turns out to be a duplicate: computed then.
  v[o + 2] = null;
  v[o + 3] = e.type;
  v[o + 4] = e.kind;
  v[o + 5] = e.ts;
  v[o + 6] = e.sessionId;
  v[o + 7] = e.taskId;
  v[o + 8] = e.phase;
  v[o + 9] = e.agentRole;
  v[o + 10] = e.model;
  v[o + 11] = e.status;
  v[o + 12] = e.durationMs;
  v[o + 13] = e.tokensIn;
  v[o + 14] = e.tokensOut;
  v[o + 15] = e.tokensCacheRead;
  v[o + 16] = e.tokensCacheWrite;
  v[o + 17] = e.costUsd;
  v[o + 18] = e.message;
  v[o + 19] = e.source.adapter;
  v[o + 20] = e.source.file;
  v[o + 21] = e.source.line;
  v[o + 22] = e.source.offset;
  v[o + 23] = attrs;
  enc.count += 1;
}

export function encodeEvents(events: readonly VigilEvent[]): EncodedEvents {
  const enc: EncodedEvents = { count: 0, values: new Array(events.length * STRIDE) };
  for (const e of events) encodeInto(enc, e);
  return enc;
}

/** The event at index `i` of an encoding. */
export function decodeEvent(enc: EncodedEvents, i: number): VigilEvent {
  const v = enc.values;
  const o = i * STRIDE;
  const attrs = v[o + 23] as string | null;
  return {
    id: v[o] as string,
    type: v[o + 3] as string,
    kind: v[o + 4] as EventKind,
    ts: v[o + 5] as number,
    sessionId: v[o + 6] as string | null,
    taskId: v[o + 7] as string | null,
    phase: v[o + 8] as string | null,
    agentRole: v[o + 9] as string | null,
    model: v[o + 10] as string | null,
    status: v[o + 11] as EventStatus | null,
    durationMs: v[o + 12] as number | null,
    tokensIn: v[o + 13] as number | null,
    tokensOut: v[o + 14] as number | null,
    tokensCacheRead: v[o + 15] as number | null,
    tokensCacheWrite: v[o + 16] as number | null,
    costUsd: v[o + 17] as number | null,
    message: v[o + 18] as string | null,
    source: {
      adapter: v[o + 19] as string,
      file: v[o + 20] as string | null,
      line: v[o + 21] as number | null,
      offset: v[o + 22] as number | null,
    },
    attrs: attrs === null ? {} : (JSON.parse(attrs) as Record<string, unknown>),
  };
}
