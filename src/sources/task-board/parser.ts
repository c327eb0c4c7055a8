import { basename } from 'node:path';

import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type EventStatus, type VigilEvent } from '../../core/event.js';
import { deriveId, digest, isJsonObject, pickAttrs, str } from '../shared/fields.js';
import {
  documentFailure,
  documentReject,
  documentRejectFromIssues,
} from '../shared/json-document.js';
import { formatTimestamp, parseTimestamp } from '../shared/timestamp.js';
import type { DocumentContext, DocumentResult } from '../types.js';
import { columnOf, taskIdFromFileName } from './paths.js';
import { BOARD_COLUMNS, TASK_FILE_KNOWN_KEYS, TaskFile, type BoardColumn } from './schema.js';
import { loadYamlDocument } from './yaml-document.js';

const ADAPTER = 'task-board';

/** The event a task file yields in each column. */
export const COLUMN_EVENT_TYPE = {
  inbox: 'task.created',
  assigned: 'task.assigned',
  done: 'task.completed',
} as const satisfies Record<BoardColumn, string>;

/** How a done task's own `status` field overrides `task.completed`'s default `success`. */
const DONE_STATUS: Readonly<Record<string, EventStatus>> = {
  failed: 'failure',
  failure: 'failure',
  error: 'failure',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  skipped: 'skipped',
  blocked: 'blocked',
};

/**
 * The digest of a task file's content, as the pipeline stores it and hands back as
 * `ctx.previousDigest` on the next read.
 *
 * @example
 * digestDocument('id: T-1\n') === digestDocument('id: T-1\n') // true
 */
export function digestDocument(text: string): string {
  return digest(text);
}

const ms = (v: unknown): number | null => (v === undefined ? null : parseTimestamp(v));

/**
 * Parses one seed-004 task file. The parent folder picks the event (`inbox` → `task.created`,
 * `assigned` → `task.assigned`, `done` → `task.completed`, id from task id and column, so
 * re-reads are idempotent and a move is a new event); a changed file (previous digest differs)
 * also yields `task.updated`, id from task id, column and content digest.
 *
 * @example
 * parseTaskFile('id: T-1\ntitle: Fix login\n',
 *   { file: '/r/work/collaboration/inbox/T-1.yaml', ... }) // one task.created
 */
export function parseTaskFile(text: string, ctx: DocumentContext): DocumentResult {
  const column = columnOf(ctx.file);
  if (column === null) {
    return documentFailure(
      documentReject(
        '(path)',
        `a task file must sit in a ${BOARD_COLUMNS.join(' | ')} folder, found ${basename(ctx.file)} elsewhere`,
      ),
    );
  }
  const loaded = loadYamlDocument(text);
  if (!loaded.ok) return documentFailure(loaded.reject);
  const value = loaded.value;
  if (!isJsonObject(value)) {
    const found =
      value === null ? 'an empty document' : Array.isArray(value) ? 'a list' : 'a scalar';
    return documentFailure(
      documentReject(
        '(root)',
        `expected a YAML mapping of task fields (id, title, status, ...), found ${found}`,
      ),
    );
  }
  const record = Object.fromEntries(Object.entries(value));
  const parsed = TaskFile.safeParse(record);
  if (!parsed.success) {
    // Field paths are dotted: `tags.0`.
    return documentFailure(
      documentRejectFromIssues(parsed.error.issues, record, { style: 'dots' }),
    );
  }
  const t = parsed.data;
  const taskId = str(t.id, 256) ?? taskIdFromFileName(ctx.file);
  const contentDigest = digestDocument(text);
  const created = ms(t.created_at);
  const updated = ms(t.updated_at);
  const columnTs = { inbox: created, assigned: ms(t.assigned_at), done: ms(t.completed_at) }[
    column
  ];
  const type = COLUMN_EVENT_TYPE[column];
  const yamlStatus = t.status?.trim().toLowerCase();
  const status: EventStatus | null =
    column === 'done' && yamlStatus !== undefined && Object.hasOwn(DONE_STATUS, yamlStatus)
      ? (DONE_STATUS[yamlStatus] ?? null)
      : (lookupEventType(type)?.status ?? null);
  const tags = t.tags === undefined ? [] : (Array.isArray(t.tags) ? t.tags : [t.tags]).map(String);

  const base = {
    ...EMPTY_EVENT_FIELDS,
    kind: 'board',
    taskId,
    agentRole: t.agent ?? t.assignee ?? null,
    model: t.model ?? null,
    message: t.title ?? null,
    source: { adapter: ADAPTER, file: ctx.file, line: null, offset: null },
  } as const;
  const attrs = {
    ...pickAttrs(record, TASK_FILE_KNOWN_KEYS),
    title: t.title ?? null,
    description: t.description ?? null,
    column,
    assignee: t.assignee ?? t.agent ?? null,
    priority: str(t.priority, 64),
    status: t.status ?? null,
    tags,
    estimated_cost_usd: t.estimated_cost_usd ?? null,
    estimated_tokens: t.estimated_tokens ?? null,
    created_at: created === null ? null : formatTimestamp(created),
    updated_at: updated === null ? null : formatTimestamp(updated),
    file: basename(ctx.file),
    content_digest: contentDigest,
  };
  const events: VigilEvent[] = [
    {
      ...base,
      id: deriveId(ADAPTER, taskId, column),
      type,
      ts: columnTs ?? updated ?? created ?? ctx.mtimeMs,
      status,
      attrs,
    },
  ];
  if (ctx.previousDigest !== null && ctx.previousDigest !== contentDigest) {
    events.push({
      ...base,
      id: deriveId(ADAPTER, taskId, column, contentDigest),
      type: 'task.updated',
      ts: updated ?? ctx.mtimeMs,
      status: null,
      attrs: { ...attrs, previous_digest: ctx.previousDigest },
    });
  }
  return { events, rejects: [] };
}
