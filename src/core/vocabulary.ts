/**
 * The event vocabulary as plain values (no zod): what the hot paths and the CLI need at run
 * time. src/core/event.ts builds the validating schemas from the same arrays.
 */
import type { VigilEvent } from './event.js';

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
export type EventKind = (typeof EVENT_KINDS)[number];

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
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<EventStatus> = new Set([
  'success',
  'failure',
  'timeout',
  'skipped',
  'cancelled',
  'blocked',
  'unknown',
]);

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
