import { z } from 'zod';

import type { EventKind, EventStatus, VigilEvent } from '../../core/event.js';
import { EVENT_KINDS, EVENT_STATUSES } from '../../core/vocabulary.js';
import { eventToExport } from '../../output/event-json.js';
import type { EventFilter } from '../../store/types.js';

/** An event in export form (src/output/event-json.ts): what `vigil events --format json` prints. */
export const ExportedEvent = z.object({
  event_id: z.string(),
  event_type: z.string(),
  kind: z.enum(EVENT_KINDS),
  timestamp: z.string().describe('ISO-8601 UTC'),
  task_id: z.string().nullable(),
  session_id: z.string().nullable(),
  phase: z.string().nullable(),
  agent_role: z.string().nullable(),
  model: z.string().nullable(),
  status: z.enum(EVENT_STATUSES).nullable(),
  duration_seconds: z.number().nullable(),
  tokens_input: z.number().int().nullable(),
  tokens_output: z.number().int().nullable(),
  tokens_cache_read: z.number().int().nullable(),
  tokens_cache_write: z.number().int().nullable(),
  cost_usd: z.number().nullable().describe('As the source reported it'),
  error_message: z.string().nullable(),
  source_adapter: z.string(),
  source_file: z.string().nullable(),
  source_line: z.number().int().nullable(),
  attrs: z.record(z.string(), z.unknown()),
});
export type ExportedEvent = z.infer<typeof ExportedEvent>;

/**
 * An event in export form, typed. `eventToExport` builds exactly these fields; the response
 * schema checks them on every reply.
 */
export function exportEvent(e: VigilEvent): ExportedEvent {
  return eventToExport(e) as ExportedEvent;
}

export const EventPageBody = z.object({
  events: z.array(ExportedEvent),
  next_cursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` for the next page; null on the last one'),
});

/** The query parameters of `vigil events`' filters, parsed. */
export interface EventFilterParams {
  type?: string[];
  kind?: EventKind[];
  session?: string;
  task?: string;
  phase?: string;
  role?: string;
  model?: string;
  status?: EventStatus;
  adapter?: string;
  q?: string;
  since?: number;
  until?: number;
}

/** The store filter of the `events` command's options, from the same-named query parameters. */
export function eventFilterOf(p: EventFilterParams): EventFilter {
  const f: EventFilter = {};
  if (p.type?.length) f.types = p.type;
  if (p.kind?.length) f.kinds = p.kind;
  if (p.session !== undefined) f.sessionId = p.session;
  if (p.task !== undefined) f.taskId = p.task;
  if (p.phase !== undefined) f.phase = p.phase;
  if (p.role !== undefined) f.agentRole = p.role;
  if (p.model !== undefined) f.model = p.model;
  if (p.status !== undefined) f.status = p.status;
  if (p.adapter !== undefined) f.adapter = p.adapter;
  if (p.q !== undefined) f.text = p.q;
  if (p.since !== undefined) f.since = p.since;
  if (p.until !== undefined) f.until = p.until;
  return f;
}
