import type { EventKind, EventStatus } from './event.js';

/** One row of the normalisation table: how a source's event type maps onto Vigil's model. */
export interface CatalogueEntry {
  readonly kind: EventKind;
  /** Status to use when the event itself carries none; null leaves it unset. */
  readonly status: EventStatus | null;
  /** Which source documents name this type (seed numbers 000-004). */
  readonly seeds: readonly string[];
  readonly description: string;
}

const e = (
  kind: EventKind,
  status: EventStatus | null,
  seeds: readonly string[],
  description: string,
): CatalogueEntry => ({ kind, status, seeds, description });

/**
 * The normalisation table: every event type named in the five source documents, with its kind
 * and default status. docs/event-model.md renders the same table; a test keeps them in step.
 */
export const EVENT_CATALOGUE = {
  // Seed 003: KPI events.
  task_start: e('task', 'started', ['003'], 'A task began (model usually set here).'),
  task_end: e(
    'task',
    'unknown',
    ['003'],
    'A task ended; `status` says how, tokens and duration here.',
  ),
  review_start: e('review', 'started', ['003'], 'A review of a task began.'),
  review_end: e('review', 'unknown', ['003'], 'A review of a task ended.'),
  error: e('log', 'failure', ['002', '003'], 'An error, with its message.'),

  // Seed 002: VibeForge EventLog.
  phase_transition: e('phase', null, ['002'], 'The session moved from one phase to another.'),
  session_started: e('session', 'started', ['002'], 'A session began.'),
  session_completed: e('session', 'success', ['002'], 'A session finished successfully.'),
  session_failed: e('session', 'failure', ['002'], 'A session failed.'),
  session_aborted: e('session', 'cancelled', ['002'], 'A session was aborted.'),
  task_scheduled: e('task', null, ['002'], 'A task was put on the schedule.'),
  task_started: e('task', 'started', ['002'], 'A task began executing.'),
  task_completed: e('task', 'success', ['002'], 'A task completed.'),
  task_failed: e('task', 'failure', ['002'], 'A task failed.'),
  task_retrying: e('task', 'retrying', ['002'], 'A task is being retried.'),
  task_skipped: e('task', 'skipped', ['002'], 'A task was skipped.'),
  agent_invoked: e('agent', 'started', ['002'], 'An agent was invoked for a task.'),
  agent_response: e('agent', 'success', ['002'], 'An agent answered.'),
  llm_request_sent: e('llm_call', 'started', ['002'], 'A request went to a model (prompt tokens).'),
  llm_response_received: e('llm_call', 'success', ['002'], 'A model answered (token usage).'),
  model_routed: e('llm_call', null, ['002'], 'A request was routed to a model.'),
  gate_evaluated: e('gate', null, ['002'], 'A policy gate was evaluated.'),
  gate_blocked: e('gate', 'blocked', ['002'], 'A policy gate blocked progress.'),
  gate_warned: e('gate', 'warned', ['002'], 'A policy gate warned.'),
  diff_applied: e('command', 'success', ['002'], 'A diff was applied to the workspace.'),
  diff_failed: e('command', 'failure', ['002'], 'A diff failed to apply.'),
  command_executed: e('command', null, ['002'], 'A command ran in the workspace.'),
  verification_started: e('verification', 'started', ['002'], 'Verification began.'),
  verification_passed: e('verification', 'success', ['002'], 'Verification passed.'),
  verification_failed: e('verification', 'failure', ['002'], 'Verification failed.'),
  artifact_created: e('artifact', null, ['002'], 'An artifact was written.'),
  artifact_updated: e('artifact', null, ['002'], 'An artifact was updated.'),
  clarification_requested: e('agent', 'started', ['002'], 'The agent asked a human a question.'),
  clarification_answered: e('agent', 'success', ['002'], 'The human answered.'),
  info: e('log', null, ['002'], 'Informational message.'),
  warning: e('log', 'warned', ['002'], 'Warning message.'),

  // Seed 000: WFC telemetry, reviews, knowledge, bypasses.
  task_metrics: e('task', 'unknown', ['000'], "One task's metrics from `session-*.jsonl`."),
  workflow_metrics: e(
    'resource',
    null,
    ['000'],
    'Per-task workflow metrics (`workflow_metrics.jsonl`); tokens kept as attributes.',
  ),
  aggregate_snapshot: e(
    'resource',
    null,
    ['000'],
    'The rolling 100-task aggregate (`aggregate.json`).',
  ),
  review_complete: e(
    'review',
    'unknown',
    ['000'],
    'A review finished with a consensus score and tier.',
  ),
  review_finding: e('review', null, ['000'], 'One deduplicated finding of a review report.'),
  knowledge_updated: e('knowledge', null, ['000'], 'Knowledge entries were added for a reviewer.'),
  knowledge_entry: e('knowledge', null, ['000'], "One entry of a reviewer's KNOWLEDGE.md."),
  drift_detected: e(
    'knowledge',
    'warned',
    ['000'],
    "Drift was detected in a reviewer's knowledge.",
  ),
  task_complete: e('task', 'unknown', ['000'], 'A task completed (WFC generic event).'),
  pr_created: e('workflow', 'success', ['000'], 'A pull request was created.'),
  hook_warning: e('workflow', 'warned', ['000'], 'A git hook warned.'),
  workflow_violation: e('workflow', 'blocked', ['000'], 'A workflow rule was violated.'),
  merge_complete: e('workflow', 'success', ['000'], 'A merge completed.'),
  bypass_activated: e(
    'bypass',
    'started',
    ['000'],
    'An emergency bypass record (`BYPASS-AUDIT.json`).',
  ),
  bypass_revoked: e(
    'bypass',
    'cancelled',
    ['000'],
    'A bypass was revoked before it expired (`BYPASS-AUDIT.json`).',
  ),

  // Seed 001: WVO state folders.
  wvo_task: e(
    'task',
    'unknown',
    ['001'],
    'A task state record from `state/analytics` or `state/telemetry`.',
  ),
  quality_gate_decision: e(
    'gate',
    null,
    ['001'],
    'A quality-gate decision with consensus and rubric.',
  ),
  resolution_attempt: e('resolution', null, ['001'], 'One attempt of a resolution loop.'),
  resolution_loop: e(
    'resolution',
    null,
    ['001'],
    'A resolution loop summary (`resolution_metrics.json`).',
  ),
  provider_usage: e(
    'llm_call',
    null,
    ['001'],
    'Provider usage from `state/limits/usage_log.json`.',
  ),
  resource_sample: e('resource', null, ['001'], 'A host or process utilisation sample.'),
  telemetry_operation: e(
    'command',
    null,
    ['001'],
    'An operation record from `state/telemetry/*.jsonl`.',
  ),

  // Seed 004: task boards.
  'task.created': e('board', 'started', ['004'], 'A task file appeared in `inbox/`.'),
  'task.assigned': e('board', 'started', ['004'], 'A task file moved to `assigned/`.'),
  'task.completed': e('board', 'success', ['004'], 'A task file moved to `done/`.'),
  'task.updated': e('board', null, ['004'], 'A task file changed without moving.'),
  'cost.update': e('llm_call', null, ['004'], 'A cost update for a model invocation.'),

  // Seed 003 step 5: the token-usage log.
  token_usage: e('llm_call', 'success', ['003'], 'One model call from `.droid_token_usage.jsonl`.'),
} as const satisfies Record<string, CatalogueEntry>;

export type CatalogueType = keyof typeof EVENT_CATALOGUE;

/** Looks an event type up in the normalisation table. */
export function lookupEventType(type: string): CatalogueEntry | undefined {
  return Object.hasOwn(EVENT_CATALOGUE, type) ? EVENT_CATALOGUE[type as CatalogueType] : undefined;
}
