import { z } from 'zod';

import { parseTimestamp } from '../shared/timestamp.js';

/** Board columns, in workflow order; a task's column is its parent folder. */
export const BOARD_COLUMNS = ['inbox', 'assigned', 'done'] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

const timestamp = z
  .union([z.string(), z.number()], {
    error: 'expected an ISO-8601 date-time such as 2026-02-05T09:12:00Z',
  })
  .refine((v) => parseTimestamp(v) !== null, {
    error: 'expected an ISO-8601 date-time such as 2026-02-05T09:12:00Z (quote it or use UTC "Z")',
  });
const scalar = (max: number) =>
  z.union([z.string().max(max, { error: `must be at most ${max} characters` }), z.number()], {
    error: 'expected a string',
  });
const text = (max: number) =>
  z.string({ error: 'expected a string' }).max(max, { error: `must be at most ${max} characters` });

/**
 * One task file (`work/collaboration/<column>/<id>.yaml`). Every field is optional: the file
 * name stands in for a missing `id`. Unknown fields are kept as attributes.
 */
export const TaskFile = z.looseObject({
  id: scalar(256).optional(),
  title: text(1024).optional(),
  description: text(65_536).optional(),
  agent: text(128).optional(),
  assignee: text(128).optional(),
  priority: scalar(64).optional(),
  status: text(64).optional(),
  model: text(256).optional(),
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
  assigned_at: timestamp.optional(),
  completed_at: timestamp.optional(),
  tags: z
    .union([text(128), z.array(scalar(128)).max(256)], {
      error: 'expected a list of tags such as [ingest, reliability]',
    })
    .optional(),
  estimated_cost_usd: z
    .number({ error: 'expected a number of US dollars such as 0.45' })
    .nonnegative({ error: 'must not be negative' })
    .optional(),
  estimated_tokens: z
    .number({ error: 'expected a non-negative integer' })
    .int({ error: 'expected a non-negative integer' })
    .nonnegative({ error: 'must not be negative' })
    .optional(),
});
export type TaskFile = z.infer<typeof TaskFile>;

export const TASK_FILE_KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(TaskFile.shape));
