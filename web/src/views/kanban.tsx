import { useEffect, useMemo, useState } from 'preact/hooks';

import { useApi } from '../lib/api';
import { formatTime } from '../lib/format';
import { useTaskEvents, type TaskMessage } from '../lib/live';
import { parseTimeInput } from '../lib/time-range';
import { Panel, ViewFrame, viewStateOf, type ViewProps } from '../lib/view';
import {
  BOARD_COLUMNS,
  type BoardColumn,
  type BoardResponse,
  type BoardTask,
} from '../types/board';
import { KanbanCard, TaskDetail } from './kanban-card';

const COLUMN_TITLES: Record<BoardColumn, string> = {
  inbox: 'Inbox',
  assigned: 'Assigned',
  done: 'Done',
};
const MESSAGE_COLUMN: Record<string, BoardColumn> = {
  'task.created': 'inbox',
  'task.assigned': 'assigned',
  'task.completed': 'done',
};
/** A live move wins over the snapshot this long, until a refetch has caught up with it. */
const OVERRIDE_MS = 5_000;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A board task from a `task.*` message (the task file's fields plus the event's). */
export function taskOfMessage(msg: TaskMessage, before: BoardTask | undefined): BoardTask | null {
  const d = (msg.data ?? {}) as Record<string, unknown>;
  const id = str(d['task_id']) ?? str(d['id']);
  if (id === null) return null;
  const column =
    MESSAGE_COLUMN[msg.type] ??
    (BOARD_COLUMNS.includes(d['column'] as BoardColumn)
      ? (d['column'] as BoardColumn)
      : (before?.column ?? 'inbox'));
  return {
    task_id: id,
    column,
    title: str(d['title']) ?? before?.title ?? null,
    status: str(d['event_status']) ?? before?.status ?? null,
    board_status: str(d['status']) ?? before?.board_status ?? null,
    agent: str(d['agent']) ?? before?.agent ?? null,
    assignee: str(d['assignee']) ?? before?.assignee ?? null,
    priority: str(d['priority']) ?? before?.priority ?? null,
    model: str(d['model']) ?? before?.model ?? null,
    tags: Array.isArray(d['tags'])
      ? d['tags'].filter((t): t is string => typeof t === 'string')
      : (before?.tags ?? []),
    created_at: str(d['created_at']) ?? before?.created_at ?? null,
    updated_at: str(d['timestamp']) ?? str(d['updated_at']) ?? before?.updated_at ?? null,
    estimated_cost_usd: num(d['estimated_cost_usd']) ?? before?.estimated_cost_usd ?? null,
    estimated_tokens: num(d['estimated_tokens']) ?? before?.estimated_tokens ?? null,
    file: str(d['file']) ?? before?.file ?? null,
    last_event_type: msg.type,
  };
}

/**
 * Kanban: the task board's inbox → assigned → done columns from the YAML task folders; cards
 * move as `task.*` messages arrive, and the board is refetched after each commit.
 */
export default function KanbanView({ filters, params, setParams }: ViewProps) {
  const result = useApi<BoardResponse>('/api/tasks');
  const [overrides, setOverrides] = useState<Map<string, { task: BoardTask; at: number }>>(
    new Map(),
  );

  useTaskEvents((msg) => {
    setOverrides((prev) => {
      const snapshot = result.data ? BOARD_COLUMNS.flatMap((c) => result.data?.[c] ?? []) : [];
      const id = str((msg.data as Record<string, unknown> | null)?.['task_id']) ?? '';
      const before = prev.get(id)?.task ?? snapshot.find((t) => t.task_id === id);
      const task = taskOfMessage(msg, before);
      if (!task) return prev;
      const next = new Map(prev);
      next.set(task.task_id, { task, at: Date.now() });
      return next;
    });
  });

  // Expired overrides fall back to the snapshot (which has caught up by then).
  useEffect(() => {
    if (overrides.size === 0) return undefined;
    const t = setTimeout(() => {
      const now = Date.now();
      setOverrides((prev) => new Map([...prev].filter(([, o]) => now - o.at < OVERRIDE_MS)));
    }, OVERRIDE_MS);
    return () => clearTimeout(t);
  }, [overrides]);

  const columns = useMemo(() => {
    const all = new Map<string, BoardTask>();
    if (result.data)
      for (const c of BOARD_COLUMNS) for (const t of result.data[c]) all.set(t.task_id, t);
    for (const [id, o] of overrides) all.set(id, o.task);
    const now = Date.now();
    const since = filters.since ? parseTimeInput(filters.since, 'since', now) : null;
    const until = filters.until ? parseTimeInput(filters.until, 'until', now) : null;
    const keep = (t: BoardTask) => {
      const at = t.updated_at ?? t.created_at;
      const ms = at === null ? null : Date.parse(at);
      if (since !== null && (ms === null || ms < since)) return false;
      if (until !== null && (ms === null || ms >= until)) return false;
      if (filters.model && t.model !== filters.model) return false;
      if (filters.role && t.agent !== filters.role && t.assignee !== filters.role) return false;
      return true;
    };
    const by: Record<BoardColumn, BoardTask[]> = { inbox: [], assigned: [], done: [] };
    for (const t of all.values()) if (keep(t)) by[t.column].push(t);
    for (const c of BOARD_COLUMNS)
      by[c].sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? ''));
    return by;
  }, [result.data, overrides, filters]);

  const total = BOARD_COLUMNS.reduce((n, c) => n + columns[c].length, 0);
  const state = viewStateOf(result, () => total === 0);
  const openId = params['task'];
  const open = openId
    ? BOARD_COLUMNS.flatMap((c) => columns[c]).find((t) => t.task_id === openId)
    : undefined;

  return (
    <ViewFrame
      id="kanban"
      title="Kanban"
      state={state}
      error={result.error}
      onRetry={result.reload}
      filters={['time', 'model', 'role']}
      exportRows={() => BOARD_COLUMNS.flatMap((c) => columns[c].map((t) => ({ ...t })))}
      emptyText="No tasks on the board for these filters. Tasks are YAML files under work/collaboration/{inbox,assigned,done}."
    >
      <div class="kanban" role="list" aria-label="Task board">
        {BOARD_COLUMNS.map((c) => (
          <section
            key={c}
            class="kanban-column"
            data-column={c}
            role="listitem"
            aria-labelledby={`col-${c}`}
          >
            <h2 id={`col-${c}`}>
              {COLUMN_TITLES[c]}{' '}
              <span class="badge" data-count={columns[c].length}>
                {columns[c].length}
              </span>
            </h2>
            <ul class="kanban-cards">
              {columns[c].map((t) => (
                <KanbanCard
                  key={t.task_id}
                  task={t}
                  onOpen={() => setParams({ task: t.task_id })}
                />
              ))}
            </ul>
          </section>
        ))}
      </div>
      <p class="muted">
        Board as of {formatTime(result.data?.generated_at)}; cards move live as task files move.
      </p>
      {open && (
        <Panel
          title={open.title ?? open.task_id}
          testId="task-detail"
          onClose={() => setParams({ task: undefined })}
        >
          <TaskDetail task={open} />
        </Panel>
      )}
    </ViewFrame>
  );
}
