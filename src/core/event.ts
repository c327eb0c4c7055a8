import { z } from 'zod';

import { EVENT_KINDS, EVENT_STATUSES } from './vocabulary.js';

export {
  EMPTY_EVENT_FIELDS,
  EVENT_KINDS,
  EVENT_STATUSES,
  isTerminalStatus,
  TERMINAL_STATUSES,
} from './vocabulary.js';

export const EventKind = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKind>;

export const EventStatus = z.enum(EVENT_STATUSES);
export type EventStatus = z.infer<typeof EventStatus>;

const text = (max: number) => z.string().max(max).nullable();
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable();

export const EventSource = z.object({
  /** Adapter name, e.g. `kpi`. */
  adapter: z.string().min(1).max(64),
  /** Absolute path of the file the event came from, or null (HTTP, generated). */
  file: text(4096),
  /** 1-based line number in that file, when the source is line-oriented. */
  line: z.number().int().positive().nullable(),
  /** Byte offset of the line's first byte, when the source is a file. */
  offset: z.number().int().nonnegative().nullable(),
});
export type EventSource = z.infer<typeof EventSource>;

/**
 * The canonical event. Every input, whatever its format, becomes one of these.
 *
 * @example
 * const event: VigilEvent = {
 *   id: '550e8400-e29b-41d4-a716-446655440002', type: 'task_end', kind: 'task',
 *   ts: Date.parse('2026-02-16T14:32:30Z'), sessionId: null, taskId: 'task_abc123',
 *   phase: null, agentRole: null, model: null, status: 'success', durationMs: 150_000,
 *   tokensIn: 1500, tokensOut: 800, tokensCacheRead: null, tokensCacheWrite: null,
 *   costUsd: null, message: null,
 *   source: { adapter: 'kpi', file: '/repo/.droid/kpis.jsonl', line: 2, offset: 231 },
 *   attrs: {},
 * };
 */
export const VigilEvent = z.object({
  /** Stable id: the source's own id, or one derived from file identity, offset and content. */
  id: z.string().min(1).max(256),
  /** The type as the source wrote it (`task_end`, `llm_response_received`, ...). */
  type: z.string().min(1).max(128),
  kind: EventKind,
  /** Milliseconds since the Unix epoch, UTC. */
  ts: z.number().int(),
  sessionId: text(256),
  taskId: text(256),
  phase: text(128),
  agentRole: text(128),
  model: text(256),
  status: EventStatus.nullable(),
  durationMs: z.number().nonnegative().finite().nullable(),
  tokensIn: count,
  tokensOut: count,
  tokensCacheRead: count,
  tokensCacheWrite: count,
  /** Cost as the source reported it, in USD. Computed cost comes from the price table. */
  costUsd: z.number().nonnegative().finite().nullable(),
  message: text(65_536),
  source: EventSource,
  /** Everything else the source said, JSON-serialisable. */
  attrs: z.record(z.string(), z.unknown()),
});
export type VigilEvent = z.infer<typeof VigilEvent>;
