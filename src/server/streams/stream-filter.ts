import { z } from 'zod';

import { EVENT_KINDS, type EventKind, type VigilEvent } from '../../core/event.js';

/** Which events a stream client wants; every part is optional and they combine with AND. */
export interface StreamFilter {
  kinds: ReadonlySet<string> | null;
  types: ReadonlySet<string> | null;
  sessionId: string | null;
}

export function matchesFilter(f: StreamFilter, e: VigilEvent): boolean {
  return (
    (f.kinds === null || f.kinds.has(e.kind)) &&
    (f.types === null || f.types.has(e.type)) &&
    (f.sessionId === null || e.sessionId === f.sessionId)
  );
}

/** A query value given once, several times, or comma-separated. */
const ListParam = z.union([z.string(), z.array(z.string())]).optional();

/** The query string both streams accept. */
export const StreamQuery = z.object({
  kind: ListParam.describe(
    `only these kinds (comma-separated or repeated): ${EVENT_KINDS.join(', ')}`,
  ),
  type: ListParam.describe('only these event types (comma-separated or repeated)'),
  session: z.string().max(256).optional().describe('only events of this session id'),
  lastEventId: z.string().optional().describe('resume after this sequence (as Last-Event-ID)'),
  since_seq: z.string().optional().describe('resume after this sequence (as Last-Event-ID)'),
  lastSeq: z.string().optional().describe('resume after this sequence (as Last-Event-ID)'),
  access_token: z
    .string()
    .optional()
    .describe('the API token, for clients that cannot set headers'),
});
export type StreamQuery = z.infer<typeof StreamQuery>;

const splitList = (v: string | readonly string[] | undefined): string[] =>
  (v === undefined ? [] : typeof v === 'string' ? [v] : v)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Builds a filter from lists of kinds and types and a session id; null when nothing filters.
 *
 * @example
 * buildFilter({ kind: 'board,task' }) // { ok: true, value: { kinds: Set{board, task}, ... } }
 */
export function buildFilter(input: {
  kind?: string | readonly string[] | undefined;
  type?: string | readonly string[] | undefined;
  session?: string | null | undefined;
}): Parsed<StreamFilter | null> {
  const kinds = splitList(input.kind);
  const unknown = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `unknown kind ${unknown.map((k) => JSON.stringify(k)).join(', ')}; use one of ${EVENT_KINDS.join(', ')}`,
    };
  }
  const types = splitList(input.type);
  const sessionId = input.session === undefined || input.session === '' ? null : input.session;
  if (kinds.length === 0 && types.length === 0 && sessionId === null) {
    return { ok: true, value: null };
  }
  return {
    ok: true,
    value: {
      kinds: kinds.length ? new Set<EventKind | string>(kinds) : null,
      types: types.length ? new Set(types) : null,
      sessionId,
    },
  };
}

/**
 * The sequence to resume after: the first given of the Last-Event-ID header and the
 * `lastEventId`, `since_seq` and `lastSeq` query parameters; null when none is (live only).
 */
export function parseResumeSeq(candidates: readonly (string | undefined)[]): Parsed<number | null> {
  const given = candidates.find((c) => c !== undefined && c.trim() !== '');
  if (given === undefined) return { ok: true, value: null };
  const text = given.trim();
  if (!/^\d{1,15}$/.test(text)) {
    return {
      ok: false,
      message: `cannot resume after ${JSON.stringify(given)}: expected an event sequence (a whole number such as 42, the id: of the last frame received)`,
    };
  }
  return { ok: true, value: Number(text) };
}

/**
 * Where a resuming client starts: after its last sequence, but never past the newest one. A
 * sequence beyond it comes from another store (rebuilt, or another hub), and skipping that
 * far would hide every new event until the new store caught up.
 */
export function resumePoint(requested: number | null, lastSeq: number): number | null {
  return requested === null ? null : Math.min(requested, lastSeq);
}

/** A filter as JSON, for acknowledgements. */
export function describeFilter(f: StreamFilter | null): Record<string, unknown> | null {
  return f === null
    ? null
    : {
        kinds: f.kinds === null ? null : [...f.kinds],
        types: f.types === null ? null : [...f.types],
        session: f.sessionId,
      };
}
