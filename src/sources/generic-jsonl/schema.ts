import { z } from 'zod';

import { EVENT_KINDS, EVENT_STATUSES } from '../../core/event.js';
import { dotPathProblem } from './dot-path.js';

/** The canonical fields whose values are numbers (durations, tokens, cost). */
export const GENERIC_NUMERIC_FIELDS = [
  'duration_ms',
  'duration_seconds',
  'tokens_in',
  'tokens_out',
  'tokens_cache_read',
  'tokens_cache_write',
  'cost_usd',
] as const;

/** The canonical fields a mapping may point at a record's dot path. */
export const GENERIC_FIELDS = [
  'id',
  'type',
  'ts',
  'session_id',
  'task_id',
  'phase',
  'agent_role',
  'model',
  'status',
  ...GENERIC_NUMERIC_FIELDS,
  'message',
] as const;
export type GenericField = (typeof GENERIC_FIELDS)[number];

const DotPath = z
  .string({ error: 'expected a dot path string such as "usage.prompt_tokens"' })
  .min(1, { error: 'must not be empty; give a dot path such as "usage.prompt_tokens"' })
  .max(256, { error: 'must be at most 256 characters' })
  .superRefine((path, ctx) => {
    const problem = dotPathProblem(path);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

const optionalPath = DotPath.optional();

/** `[sources.fields]`: canonical field → dot path in the record. */
const Fields = z.strictObject(
  {
    id: optionalPath,
    type: optionalPath,
    ts: DotPath.optional(),
    session_id: optionalPath,
    task_id: optionalPath,
    phase: optionalPath,
    agent_role: optionalPath,
    model: optionalPath,
    status: optionalPath,
    duration_ms: optionalPath,
    duration_seconds: optionalPath,
    tokens_in: optionalPath,
    tokens_out: optionalPath,
    tokens_cache_read: optionalPath,
    tokens_cache_write: optionalPath,
    cost_usd: optionalPath,
    message: optionalPath,
  } satisfies Record<GenericField, z.ZodType>,
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field; expected one of ${GENERIC_FIELDS.join(', ')}`
        : 'expected a table of canonical field = "dot.path", e.g. ts = "time"',
  },
);

/**
 * How the generic JSONL adapter reads one framework's records (a `[[sources]]` entry with
 * `format = "generic"`). `fields.ts` is required, and `fields.type` or `type_default`; `kinds`
 * maps a type to a kind (else the catalogue's, else `log`); `statuses` maps the source's status
 * strings onto canonical statuses. Other keys of the source entry (`path`, `format`) pass.
 *
 * @example
 * GenericMapping.parse({ fields: { ts: 'time', type: 'evt', tokens_in: 'usage.prompt_tokens' },
 *   kinds: { llm_done: 'llm_call' }, statuses: { ok: 'success' } })
 */
export const GenericMapping = z
  .object({
    fields: Fields.optional(),
    type_default: z
      .string({ error: 'expected a string such as "log"' })
      .min(1, { error: 'must not be empty' })
      .max(128, { error: 'must be at most 128 characters' })
      .optional(),
    kinds: z
      .record(
        z.string().min(1, { error: 'type names must not be empty' }),
        z.enum(EVENT_KINDS, { error: `expected one of ${EVENT_KINDS.join(', ')}` }),
        { error: 'expected a table of type = "kind"' },
      )
      .optional(),
    statuses: z
      .record(
        z.string(),
        z.enum(EVENT_STATUSES, { error: `expected one of ${EVENT_STATUSES.join(', ')}` }),
        { error: 'expected a table of "source status" = "status"' },
      )
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.fields?.ts === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fields', 'ts'],
        message: 'required: name the field holding the timestamp, e.g. ts = "time"',
      });
    }
    if (m.fields?.type === undefined && m.type_default === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fields', 'type'],
        message:
          'required: name the field holding the event type, e.g. type = "evt", or set type_default',
      });
    }
    if (m.fields?.duration_ms !== undefined && m.fields.duration_seconds !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fields', 'duration_seconds'],
        message: 'map duration_ms or duration_seconds, not both',
      });
    }
  });
export type GenericMapping = z.infer<typeof GenericMapping>;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `fields.tokens_in`, `kinds["task.created"]`: a zod issue path as the config file spells it. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(mapping)';
}

/**
 * Validates a mapping (usually a `[[sources]]` table from the TOML config); errors name the
 * bad key so the config loader can prefix them: `fields.tokens_in: expected a dot path ...`.
 *
 * @example
 * parseGenericMapping({ fields: { type: 'evt' } })
 * // { ok: false, errors: ['fields.ts: required: name the field holding the timestamp, e.g. ts = "time"'] }
 */
export function parseGenericMapping(
  input: unknown,
): { ok: true; mapping: GenericMapping } | { ok: false; errors: string[] } {
  const parsed = GenericMapping.safeParse(input);
  if (parsed.success) return { ok: true, mapping: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`)
        : [`${formatPath(issue.path)}: ${issue.message}`],
    ),
  };
}
