import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';

/**
 * Seed 002's `Event.to_dict()` line, as VibeForge's `EventLog` appends it to
 * `workspaces/{session_id}/events.jsonl`. Only the four fields `Event.from_dict` indexes
 * directly are enforced; `event_type` is any string, because a framework may add types the
 * catalogue does not know yet. The optional context fields and `metadata` are read leniently by
 * the parser (a wrong type there never costs the event), so they are not part of this schema.
 */
export const AgentEventRecord = z.looseObject({
  event_type: z
    .string({ error: 'expected a string such as task_started' })
    .min(1, { error: 'must not be empty' })
    .max(128, { error: 'expected at most 128 characters' }),
  timestamp: z
    .string({ error: 'expected an ISO-8601 date-time string' })
    .refine((v) => parseTimestamp(v) !== null, {
      error: 'expected an ISO-8601 date-time such as 2026-02-16T09:14:02.118342',
    }),
  session_id: z
    .string({ error: 'expected a string such as sess_20260216_a1' })
    .min(1, { error: 'must not be empty' })
    .max(256, { error: 'expected at most 256 characters' }),
  message: z.string({ error: 'expected a string' }),
});
export type AgentEventRecord = z.infer<typeof AgentEventRecord>;

/** Optional `Event` fields copied onto the canonical event when they are strings. */
export const AGENT_EVENT_CONTEXT_FIELDS = ['phase', 'task_id', 'agent_role', 'model'] as const;
export type AgentEventContextField = (typeof AGENT_EVENT_CONTEXT_FIELDS)[number];

/** Every key `Event.to_dict()` writes; anything else on a line is kept as an attribute. */
export const AGENT_EVENT_KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(AgentEventRecord.shape),
  ...AGENT_EVENT_CONTEXT_FIELDS,
  'metadata',
]);

/**
 * The token-counting rule: usage (tokens and cost) is counted on `llm_response_received` only.
 * A request's `prompt_tokens` is a pre-call figure and its response reports the same prompt
 * again, so counting both would count the prompt twice; the request's figures stay in attrs.
 */
export const USAGE_EVENT_TYPE = 'llm_response_received';

/** Metadata keys read as usage, first present wins (OpenAI names, then Anthropic names). */
export const USAGE_KEYS = {
  tokensIn: ['prompt_tokens', 'input_tokens'],
  tokensOut: ['completion_tokens', 'output_tokens'],
  tokensCacheRead: ['cache_read_input_tokens', 'cache_read_tokens'],
  tokensCacheWrite: ['cache_creation_input_tokens', 'cache_write_tokens'],
  costUsd: ['cost_usd', 'cost'],
} as const;

/** Metadata keys read as the outcome of `gate_evaluated`, first present wins. */
export const GATE_RESULT_KEYS = ['result', 'decision', 'outcome', 'status'] as const;

/** Metadata keys read as the exit code of `command_executed`, first present wins. */
export const EXIT_CODE_KEYS = ['exit_code', 'returncode', 'return_code'] as const;
