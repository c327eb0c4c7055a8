import { parseTimestamp } from '../shared/timestamp.js';
import { type DocumentReject, documentRejectFromIssues } from '../shared/json-document.js';
import { WfcAggregateTask } from './schema.js';

/**
 * A summary of the aggregate's `tasks` window, stored in `attrs.window` instead of the
 * entries themselves (their per-task data is already in `session-*.jsonl`). Snake case, like
 * the rest of the attributes.
 */
export interface WindowSummary {
  size: number;
  tasks: number;
  success: number;
  failed: number;
  in_progress: number;
  truncated: number;
  retries: number;
  tokens: number;
  tokens_by_complexity: Record<string, number>;
  tasks_by_complexity: Record<string, number>;
  first_task_at: string | null;
  last_task_at: string | null;
}

/**
 * Validates each `tasks` entry and summarises the valid ones; an invalid entry becomes a
 * reject (`tasks[3].tokens: ...`) and is left out.
 *
 * @example
 * summariseWindow([{ task_id: 'TASK-001', complexity: 'S', status: 'success', tokens: 16055 }], 100)
 * // { summary: { tasks: 1, success: 1, tokens: 16055, ... }, rejects: [] }
 */
export function summariseWindow(
  entries: readonly unknown[],
  size: number,
): { summary: WindowSummary; rejects: DocumentReject[] } {
  const summary: WindowSummary = {
    size,
    tasks: 0,
    success: 0,
    failed: 0,
    in_progress: 0,
    truncated: 0,
    retries: 0,
    tokens: 0,
    tokens_by_complexity: {},
    tasks_by_complexity: {},
    first_task_at: null,
    last_task_at: null,
  };
  const rejects: DocumentReject[] = [];
  let first = Infinity;
  let last = -Infinity;
  entries.forEach((entry, index) => {
    const parsed = WfcAggregateTask.safeParse(entry);
    if (!parsed.success) {
      rejects.push(
        documentRejectFromIssues(parsed.error.issues, entry, { prefix: `tasks[${index}]` }),
      );
      return;
    }
    const t = parsed.data;
    summary.tasks += 1;
    if (t.status === 'success') summary.success += 1;
    else if (t.status === 'failed' || t.status === 'failure') summary.failed += 1;
    else if (t.status === 'in_progress') summary.in_progress += 1;
    if (t.truncated === true) summary.truncated += 1;
    summary.retries += t.retry_count ?? 0;
    summary.tokens += t.tokens ?? 0;
    const cx = t.complexity ?? 'unknown';
    summary.tokens_by_complexity[cx] = (summary.tokens_by_complexity[cx] ?? 0) + (t.tokens ?? 0);
    summary.tasks_by_complexity[cx] = (summary.tasks_by_complexity[cx] ?? 0) + 1;
    const ms = parseTimestamp(t.timestamp);
    if (ms !== null && t.timestamp) {
      if (ms < first) [first, summary.first_task_at] = [ms, t.timestamp];
      if (ms > last) [last, summary.last_task_at] = [ms, t.timestamp];
    }
  });
  return { summary, rejects };
}
