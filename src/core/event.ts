import { z } from 'zod';

/**
 * Normalised kinds: every source vocabulary maps onto these so that "tasks", "tokens" and
 * "cost" mean the same thing whichever framework wrote the event.
 */
export const EVENT_KINDS = [
  'task',
  'llm_call',
  'agent',
  'review',
  'gate',
  'phase',
  'session',
  'board',
  'bypass',
  'knowledge',
  'resolution',
  'artifact',
  'verification',
  'command',
  'workflow',
  'resource',
  'log',
] as const;
export const EventKind = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKind>;

/**
 * Normalised statuses. `started` and `retrying` are non-terminal; the rest end a task.
 * `unknown` marks an end event that did not say how it ended.
 */
export const EVENT_STATUSES = [
  'started',
  'success',
  'failure',
  'timeout',
  'skipped',
  'cancelled',
  'retrying',
  'blocked',
  'warned',
  'unknown',
] as const;
export const EventStatus = z.enum(EVENT_STATUSES);
export type EventStatus = z.infer<typeof EventStatus>;

export const TERMINAL_STATUSES: ReadonlySet<EventStatus> = new Set([
  'success',
  'failure',
  'timeout',
  'skipped',
  'cancelled',
  'blocked',
  'unknown',
]);

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

/** The optional fields of an event, all null: spread it and set what the source gives. */
export const EMPTY_EVENT_FIELDS = {
  sessionId: null,
  taskId: null,
  phase: null,
  agentRole: null,
  model: null,
  status: null,
  durationMs: null,
  tokensIn: null,
  tokensOut: null,
  tokensCacheRead: null,
  tokensCacheWrite: null,
  costUsd: null,
  message: null,
} as const satisfies Partial<VigilEvent>;

/** True when a status ends a task (success, failure, timeout, ...). */
export function isTerminalStatus(status: EventStatus | null): boolean {
  return status !== null && TERMINAL_STATUSES.has(status);
}
