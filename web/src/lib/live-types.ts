/** The state of the dashboard's live connection, as the indicator shows it. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** How live events reach the page: the WebSocket, else Server-Sent Events, else polling. */
export type Transport = 'websocket' | 'sse' | 'polling';

/** A stored event in export form (as `/api/events` returns it), plus its commit sequence. */
export interface LiveEvent {
  seq: number;
  event_id: string;
  event_type: string;
  kind: string;
  timestamp: string;
  task_id: string | null;
  session_id: string | null;
  phase: string | null;
  agent_role: string | null;
  model: string | null;
  status: string | null;
  duration_seconds: number | null;
  tokens_input: number | null;
  tokens_output: number | null;
  tokens_cache_read: number | null;
  tokens_cache_write: number | null;
  cost_usd: number | null;
  error_message: string | null;
  source_adapter: string;
  source_file: string | null;
  source_line: number | null;
  attrs: Record<string, unknown>;
}

/** The WebSocket's task-board messages (also derived from board events on SSE and polling). */
export type TaskMessageType = 'task.created' | 'task.assigned' | 'task.completed' | 'task.updated';

/** A task-board message: the task file's fields plus `task_id`, `event_status`, `seq`, ... */
export interface TaskMessage {
  type: TaskMessageType;
  data: unknown;
}

/** Totals of one period in a `cost.update` message (WebSocket only). */
export interface CostTotals {
  cost_usd: number | null;
  cost_reported_usd: number;
  tokens_input: number;
  tokens_output: number;
  total_tokens: number;
  tasks: number;
  by_model: {
    model: string;
    cost_usd: number | null;
    cost_reported_usd: number;
    tokens_input: number;
    tokens_output: number;
    tasks: number;
    priced: boolean;
  }[];
}

/** The WebSocket's `cost.update` message: cost and tokens today and all time. */
export interface CostUpdate {
  last_seq: number;
  computed_at: string;
  today: CostTotals & { since: string; until: string };
  all_time: CostTotals;
  unpriced_models: string[];
  prices_taken_on: string;
}

export const TASK_MESSAGE_TYPES: readonly TaskMessageType[] = [
  'task.created',
  'task.assigned',
  'task.completed',
  'task.updated',
];
