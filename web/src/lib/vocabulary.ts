/**
 * The server's vocabulary as the filters offer it. Copies of src/core/vocabulary.ts and the
 * built-in adapters of src/sources/registry.ts (the dashboard imports only types from the
 * server's code); test/docs/web-vocabulary.test.ts fails when they drift apart.
 */

/** Normalised kinds, as `/api/events?kind=` accepts them. */
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

/** Normalised statuses, as `/api/events?status=` accepts them. */
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

/** The adapters `vigil formats` lists (plugins may add more: the field takes any name). */
export const ADAPTERS = [
  'kpi',
  'token-usage',
  'agent-events',
  'wfc-session',
  'wfc-events',
  'wfc-workflow',
  'wfc-aggregate',
  'wfc-review',
  'wfc-bypass',
  'wfc-knowledge',
  'wvo-analytics',
  'wvo-resolution',
  'wvo-usage',
  'wvo-telemetry',
  'task-board',
  'vigil',
] as const;
