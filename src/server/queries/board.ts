/**
 * Seed 004's task board: the Kanban snapshot (inbox → assigned → done) folded from board
 * events, and the dashboard statistics (tasks and costs).
 */
import { z } from 'zod';

import type { VigilEvent } from '../../core/event.js';
import { EVENT_STATUSES } from '../../core/vocabulary.js';
import type { Store } from '../../store/types.js';
import { attrNumber, attrString, attrStrings } from './attrs.js';
import { isoOf } from './time.js';

export const BOARD_COLUMNS = ['inbox', 'assigned', 'done'] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

const COLUMN_OF_TYPE: Readonly<Record<string, BoardColumn>> = {
  'task.created': 'inbox',
  'task.assigned': 'assigned',
  'task.completed': 'done',
};

export const BoardTask = z.object({
  task_id: z.string(),
  column: z.enum(BOARD_COLUMNS),
  title: z.string().nullable(),
  status: z
    .enum(EVENT_STATUSES)
    .nullable()
    .describe('Normalised: started in inbox/assigned; success, failure, ... in done'),
  board_status: z.string().nullable().describe("The task file's own `status` text"),
  agent: z.string().nullable(),
  assignee: z.string().nullable(),
  priority: z.string().nullable(),
  model: z.string().nullable(),
  tags: z.array(z.string()),
  created_at: z.string().nullable(),
  updated_at: z.string().describe('Time of the latest board event of the task'),
  estimated_cost_usd: z.number().nullable(),
  estimated_tokens: z.number().nullable(),
  file: z.string().nullable(),
  last_event_type: z.string(),
});
export type BoardTask = z.infer<typeof BoardTask>;

export const BoardBody = z.object({
  generated_at: z.string(),
  counts: z.object({
    inbox: z.number().int(),
    assigned: z.number().int(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  inbox: z.array(BoardTask),
  assigned: z.array(BoardTask),
  done: z.array(BoardTask),
});
export type BoardBody = z.infer<typeof BoardBody>;

const RANK: Readonly<Record<BoardColumn, number>> = { inbox: 0, assigned: 1, done: 2 };

function columnOf(e: VigilEvent): BoardColumn | null {
  const fromType = COLUMN_OF_TYPE[e.type];
  if (fromType !== undefined) return fromType;
  const c = attrString(e.attrs, 'column');
  return c === 'inbox' || c === 'assigned' || c === 'done' ? c : null;
}

function taskOf(e: VigilEvent, column: BoardColumn): BoardTask {
  const a = e.attrs;
  const created = attrString(a, 'created_at');
  return {
    task_id: e.taskId ?? e.id,
    column,
    title: attrString(a, 'title') ?? e.message,
    status: e.status,
    board_status: attrString(a, 'status'),
    agent: e.agentRole,
    assignee: attrString(a, 'assignee'),
    priority: attrString(a, 'priority'),
    model: e.model,
    tags: attrStrings(a, 'tags'),
    created_at: created,
    updated_at: isoOf(e.ts),
    estimated_cost_usd: attrNumber(a, 'estimated_cost_usd'),
    estimated_tokens: attrNumber(a, 'estimated_tokens'),
    file: attrString(a, 'file'),
    last_event_type: e.type,
  };
}

/**
 * Each task's latest board event says where it is: the latest by time, and at equal times
 * the further column (a file created and completed in the same instant is done).
 */
export async function computeBoard(store: Store, now: number): Promise<BoardBody> {
  const latest = new Map<string, { e: VigilEvent; column: BoardColumn }>();
  for await (const e of store.iterateEvents({ kinds: ['board'] })) {
    const column = columnOf(e);
    if (column === null) continue;
    const id = e.taskId ?? e.id;
    const prev = latest.get(id);
    if (
      prev === undefined ||
      e.ts > prev.e.ts ||
      (e.ts === prev.e.ts && RANK[column] >= RANK[prev.column])
    ) {
      latest.set(id, { e, column });
    }
  }
  const columns: Record<BoardColumn, BoardTask[]> = { inbox: [], assigned: [], done: [] };
  for (const { e, column } of latest.values()) columns[column].push(taskOf(e, column));
  for (const c of BOARD_COLUMNS) {
    columns[c].sort((a, b) =>
      a.updated_at === b.updated_at
        ? a.task_id < b.task_id
          ? -1
          : 1
        : a.updated_at < b.updated_at
          ? 1
          : -1,
    );
  }
  return {
    generated_at: isoOf(now),
    counts: {
      inbox: columns.inbox.length,
      assigned: columns.assigned.length,
      done: columns.done.length,
      total: latest.size,
    },
    ...columns,
  };
}

export const BOARD_TASK_COLUMNS = Object.keys(BoardTask.shape) as (keyof BoardTask)[];
