/** `GET /api/tasks`: the task board (work/collaboration/{inbox,assigned,done}). */

export type BoardColumn = 'inbox' | 'assigned' | 'done';
export const BOARD_COLUMNS: readonly BoardColumn[] = ['inbox', 'assigned', 'done'];

export interface BoardTask {
  task_id: string;
  column: BoardColumn;
  title: string | null;
  status: string | null;
  board_status: string | null;
  agent: string | null;
  assignee: string | null;
  priority: string | null;
  model: string | null;
  tags: string[];
  created_at: string | null;
  updated_at: string | null;
  estimated_cost_usd: number | null;
  estimated_tokens: number | null;
  file: string | null;
  last_event_type: string | null;
}

export interface BoardResponse {
  generated_at: string;
  counts: Record<BoardColumn | 'total', number>;
  inbox: BoardTask[];
  assigned: BoardTask[];
  done: BoardTask[];
}
