import type { EventKind, EventStatus, VigilEvent } from '../../core/event.js';
import type { TaskState } from '../../core/tasks.js';
import type { Checkpoint } from '../types.js';

/** Column order of `events`, as bound by the insert statement. */
export const EVENT_COLUMNS = [
  'seq',
  'id',
  'id_hash',
  'type',
  'kind',
  'ts',
  'session_id',
  'task_id',
  'phase',
  'agent_role',
  'model',
  'status',
  'duration_ms',
  'tokens_in',
  'tokens_out',
  'tokens_cache_read',
  'tokens_cache_write',
  'cost_usd',
  'message',
  'source_id',
  'source_line',
  'source_offset',
  'attrs',
  'attrs_id',
] as const;

export interface EventRow {
  seq: number;
  id: string;
  type: string;
  kind: string;
  ts: number;
  session_id: string | null;
  task_id: string | null;
  phase: string | null;
  agent_role: string | null;
  model: string | null;
  status: string | null;
  duration_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  tokens_cache_read: number | null;
  tokens_cache_write: number | null;
  cost_usd: number | null;
  message: string | null;
  source_adapter: string;
  source_file: string | null;
  source_line: number | null;
  source_offset: number | null;
  attrs: string | null;
}

/** A row of `events` (source as its id), resolved through the sources dictionary. */
export type StoredEventRow = Omit<EventRow, 'source_adapter' | 'source_file'> & {
  source_id: number;
};

/** Sources by id: never deleted, so an id once seen always names the same (adapter, file). */
export class SourceNames {
  private readonly names = new Map<number, { adapter: string; file: string | null }>();
  private readonly all: { all(): unknown[] };

  constructor(db: { prepare(sql: string): { all(): unknown[] } }) {
    this.all = db.prepare('SELECT source_id, adapter, file FROM sources');
  }

  get(id: number): { adapter: string; file: string | null } {
    let name = this.names.get(id);
    if (name === undefined) {
      for (const row of this.all.all() as { source_id: number; adapter: string; file: string }[]) {
        this.names.set(row.source_id, {
          adapter: row.adapter,
          file: row.file === '' ? null : row.file,
        });
      }
      name = this.names.get(id) ?? { adapter: 'unknown', file: null };
    }
    return name;
  }

  /** The event of an `events` row. */
  event(r: StoredEventRow): VigilEvent {
    const source = this.get(r.source_id);
    return buildEvent(r, source.adapter, source.file);
  }
}

export function eventFromRow(r: EventRow): VigilEvent {
  return buildEvent(r, r.source_adapter, r.source_file);
}

function buildEvent(
  r: Omit<EventRow, 'source_adapter' | 'source_file'>,
  adapter: string,
  file: string | null,
): VigilEvent {
  return {
    id: r.id,
    type: r.type,
    kind: r.kind as EventKind,
    ts: r.ts,
    sessionId: r.session_id,
    taskId: r.task_id,
    phase: r.phase,
    agentRole: r.agent_role,
    model: r.model,
    status: r.status as EventStatus | null,
    durationMs: r.duration_ms,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    tokensCacheRead: r.tokens_cache_read,
    tokensCacheWrite: r.tokens_cache_write,
    costUsd: r.cost_usd,
    message: r.message,
    source: {
      adapter,
      file,
      line: r.source_line,
      offset: r.source_offset,
    },
    attrs: r.attrs ? (JSON.parse(r.attrs) as Record<string, unknown>) : {},
  };
}

export interface TaskRow {
  rowid_: number;
  task_id: string;
  key_hash: number;
  model: string | null;
  session_id: string | null;
  started_ts: number | null;
  ended_ts: number | null;
  status: string | null;
  attempts: number;
  duration_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  cost_usd: number | null;
  first_ts: number;
  event_count: number;
  bucket_ts: number;
  span_first_ts: number;
  span_last_ts: number;
}

export function taskFromRow(r: TaskRow): TaskState {
  return {
    taskId: r.task_id,
    model: r.model,
    sessionId: r.session_id,
    startedTs: r.started_ts,
    endedTs: r.ended_ts,
    status: r.status as EventStatus | null,
    attempts: r.attempts,
    durationMs: r.duration_ms,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    tokensCacheRead: r.tokens_cache_read,
    tokensCacheWrite: r.tokens_cache_write,
    costUsd: r.cost_usd,
    firstTs: r.first_ts,
    eventCount: r.event_count,
    spanFirstTs: r.span_first_ts,
    spanLastTs: r.span_last_ts,
  };
}

export interface CheckpointRow {
  path: string;
  adapter: string;
  dev: number;
  ino: number;
  offset: number;
  size: number;
  head_digest: string;
  head_length: number;
  lines: number;
  content_digest: string | null;
  updated_at: number;
}

export function checkpointFromRow(r: CheckpointRow): Checkpoint {
  return {
    path: r.path,
    adapter: r.adapter,
    dev: r.dev,
    ino: r.ino,
    offset: r.offset,
    size: r.size,
    headDigest: r.head_digest,
    headLength: r.head_length,
    lines: r.lines,
    contentDigest: r.content_digest,
    updatedAt: r.updated_at,
  };
}
