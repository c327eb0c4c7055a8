import { Fragment } from 'preact';

import { formatNumber, formatTime, formatUsd } from '../lib/format';
import type { BoardTask } from '../types/board';

const STATUS_TONE: Record<string, string> = {
  success: 'ok',
  failure: 'bad',
  timeout: 'bad',
  cancelled: 'warn',
  skipped: 'warn',
  blocked: 'warn',
};

const PRIORITY_TONE: Record<string, string> = { critical: 'bad', high: 'warn' };

/** A task card (`[data-task-id]`): title, priority, assignee, model, tags; opens its details. */
export function KanbanCard({ task, onOpen }: { task: BoardTask; onOpen(): void }) {
  const who = task.assignee ?? task.agent;
  return (
    <li class="kanban-card" data-task-id={task.task_id} data-status={task.status ?? ''}>
      <button
        type="button"
        class="kanban-card-button"
        onClick={onOpen}
        aria-label={`Task ${task.title ?? task.task_id}`}
      >
        <span class="kanban-card-title">{task.title ?? task.task_id}</span>
        <span class="row">
          {task.priority && (
            <span class={`badge ${PRIORITY_TONE[task.priority] ?? ''}`}>{task.priority}</span>
          )}
          {task.column === 'done' && task.status && (
            <span class={`badge ${STATUS_TONE[task.status] ?? ''}`}>{task.status}</span>
          )}
          {who && <span class="muted">@{who}</span>}
        </span>
        {(task.model || task.tags.length > 0) && (
          <span class="row muted kanban-card-meta">
            {task.model && <span class="mono">{task.model}</span>}
            {task.tags.map((t) => (
              <span key={t} class="tag">
                #{t}
              </span>
            ))}
          </span>
        )}
        <span class="muted kanban-card-time">{formatTime(task.updated_at ?? task.created_at)}</span>
      </button>
    </li>
  );
}

/** Every field of a task, for the detail panel. */
export function TaskDetail({ task }: { task: BoardTask }) {
  const rows: [string, string][] = [
    ['Task id', task.task_id],
    ['Column', task.column],
    ['Status', `${task.status ?? '—'}${task.board_status ? ` (file: ${task.board_status})` : ''}`],
    ['Assignee', task.assignee ?? '—'],
    ['Agent', task.agent ?? '—'],
    ['Priority', task.priority ?? '—'],
    ['Model', task.model ?? '—'],
    ['Tags', task.tags.join(', ') || '—'],
    ['Created', formatTime(task.created_at)],
    ['Updated', formatTime(task.updated_at)],
    ['Estimated cost', formatUsd(task.estimated_cost_usd)],
    ['Estimated tokens', formatNumber(task.estimated_tokens)],
    ['File', task.file ?? '—'],
    ['Latest event', task.last_event_type ?? '—'],
  ];
  return (
    <dl class="kv">
      {rows.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
