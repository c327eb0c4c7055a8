import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DocumentContext } from '../types.js';
import { digestDocument, taskBoardAdapter } from './index.js';

const root = join(import.meta.dirname, '../../../test/fixtures/board/work/collaboration');
const badRoot = join(
  import.meta.dirname,
  '../../../test/fixtures/board/bad/work/collaboration/inbox',
);
const MTIME = Date.parse('2026-02-06T00:00:00Z');

const ctx = (file: string, previousDigest: string | null = null): DocumentContext => ({
  file,
  logicalPath: file,
  mtimeMs: MTIME,
  previousDigest,
});
const parseAt = (file: string, text = readFileSync(file, 'utf8'), previous: string | null = null) =>
  taskBoardAdapter.parseDocument(text, ctx(file, previous));

describe('task-board adapter', () => {
  it('reads every fixture task with one event of its column', () => {
    const seen: string[] = [];
    for (const column of ['inbox', 'assigned', 'done']) {
      for (const name of readdirSync(join(root, column)).sort()) {
        const { events, rejects } = parseAt(join(root, column, name));
        expect(rejects, name).toEqual([]);
        expect(events, name).toHaveLength(1);
        seen.push(`${events[0]?.type}:${events[0]?.status}`);
      }
    }
    expect(seen).toEqual([
      'task.created:started',
      'task.created:started',
      'task.created:started',
      'task.assigned:started',
      'task.assigned:started',
      'task.completed:success',
      'task.completed:success',
      'task.completed:failure',
    ]);
  });

  it('maps an inbox task exactly', () => {
    const file = join(root, 'inbox/2026-02-05T0912-backend-dev-retry-budget.yaml');
    const text = readFileSync(file, 'utf8');
    const [event] = parseAt(file).events;
    expect(event).toEqual({
      id: expect.stringMatching(/^task-board:[0-9a-f]{24}$/),
      type: 'task.created',
      kind: 'board',
      ts: Date.parse('2026-02-05T09:12:00Z'),
      sessionId: null,
      taskId: '2026-02-05T0912-backend-dev-retry-budget',
      phase: null,
      agentRole: 'backend-dev',
      model: null,
      status: 'started',
      durationMs: null,
      tokensIn: null,
      tokensOut: null,
      tokensCacheRead: null,
      tokensCacheWrite: null,
      costUsd: null,
      message: 'Add a retry budget to the ingest worker',
      source: { adapter: 'task-board', file, line: null, offset: null },
      attrs: {
        context: { files: ['src/llm_service/ingest/worker.py'] },
        title: 'Add a retry budget to the ingest worker',
        description:
          'The ingest worker retries failed uploads forever. Add a per-task retry\nbudget (default 3) and surface exhausted budgets in the dashboard.\n',
        column: 'inbox',
        assignee: 'backend-dev',
        priority: 'high',
        status: 'new',
        tags: ['ingest', 'reliability'],
        estimated_cost_usd: 0.45,
        estimated_tokens: 60000,
        created_at: '2026-02-05T09:12:00.000Z',
        updated_at: null,
        file: '2026-02-05T0912-backend-dev-retry-budget.yaml',
        content_digest: digestDocument(text),
      },
    });
  });

  it('takes the task id from the file name and ts from mtime when the YAML has neither', () => {
    const [event] = parseAt(join(root, 'inbox/task-no-id.yml')).events;
    expect(event).toMatchObject({
      taskId: 'task-no-id',
      ts: MTIME,
      attrs: { tags: ['flaky'], priority: 'low' },
    });
  });

  it('uses the column timestamp: assigned_at, completed_at', () => {
    const assigned = parseAt(join(root, 'assigned/2026-02-04T1500-frontend-kanban-filters.yaml'))
      .events[0];
    expect(assigned).toMatchObject({
      ts: Date.parse('2026-02-04T15:20:00Z'),
      model: 'claude-sonnet-4.5',
      attrs: { updated_at: '2026-02-05T08:45:00.000Z' },
    });
    const failed = parseAt(join(root, 'done/2026-02-04T0900-devops-ci-cache.yaml')).events[0];
    expect(failed).toMatchObject({
      ts: Date.parse('2026-02-04T09:50:00Z'),
      status: 'failure',
      attrs: { result: { error: 'Runner image has no writable cache directory.' } },
    });
  });

  it('is one event per task and column however often it is re-read', () => {
    const file = join(root, 'assigned/2026-02-05T0800-backend-dev-sqlite-index.yaml');
    const a = parseAt(file).events;
    const b = parseAt(file).events;
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(
      parseAt(file, undefined, digestDocument(readFileSync(file, 'utf8'))).events,
    ).toHaveLength(1);
  });

  it('gives the same task in another column another event type and id', () => {
    const file = join(root, 'inbox/2026-02-05T1030-writer-adr-033.yaml');
    const text = readFileSync(file, 'utf8');
    const inbox = parseAt(file, text).events[0];
    const moved = parseAt(join(root, 'done/2026-02-05T1030-writer-adr-033.yaml'), text).events[0];
    expect(inbox?.type).toBe('task.created');
    expect(moved?.type).toBe('task.completed');
    expect(moved?.taskId).toBe(inbox?.taskId);
    expect(moved?.id).not.toBe(inbox?.id);
  });

  it('adds task.updated when the content changed since the last read', () => {
    const file = join(root, 'assigned/2026-02-04T1500-frontend-kanban-filters.yaml');
    const before = readFileSync(file, 'utf8');
    const after = before
      .replace('priority: medium', 'priority: high')
      .replace('2026-02-05T08:45:00Z', '2026-02-05T11:00:00Z');
    const { events } = parseAt(file, after, digestDocument(before));
    expect(events.map((e) => e.type)).toEqual(['task.assigned', 'task.updated']);
    expect(events[0]?.id).toBe(parseAt(file, before).events[0]?.id);
    expect(events[1]).toMatchObject({
      ts: Date.parse('2026-02-05T11:00:00Z'),
      status: null,
      attrs: {
        priority: 'high',
        previous_digest: digestDocument(before),
        content_digest: digestDocument(after),
      },
    });
    const again = parseAt(file, after, digestDocument(before)).events[1];
    expect(again?.id).toBe(events[1]?.id);
    const third = after.replace('priority: high', 'priority: low');
    expect(parseAt(file, third, digestDocument(after)).events[1]?.id).not.toBe(events[1]?.id);
  });

  it.each([
    ['invalid-yaml.yaml', 'invalid_document', /^invalid YAML: Missing closing "quote/, 4],
    ['alias-bomb.yaml', 'invalid_document', /Excessive alias count.*at most 32 aliases/, null],
    ['custom-tag.yaml', 'invalid_document', /Unresolved tag.*custom tags are not supported/, 2],
    ['duplicate-key.yaml', 'invalid_document', /Map keys must be unique/, 2],
    ['two-docs.yaml', 'invalid_document', /multiple documents/, 2],
    [
      'list.yaml',
      'schema',
      /^\(root\): expected a YAML mapping of task fields .*found a list$/,
      null,
    ],
    ['bad-date.yaml', 'schema', /^created_at: expected an ISO-8601 date-time/, null],
  ])('rejects %s as %s', (name, reason, message, line) => {
    const { events, rejects } = parseAt(join(badRoot, name));
    expect(events).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason, line });
    expect(rejects[0]?.message).toMatch(message);
  });

  it('rejects empty files and files outside a board column', () => {
    expect(parseAt(join(root, 'inbox/empty.yaml'), '').rejects[0]?.message).toMatch(
      /found an empty document$/,
    );
    expect(
      parseAt('/repo/work/collaboration/archive/x.yaml', 'id: x\n').rejects[0]?.message,
    ).toMatch(/^\(path\): a task file must sit in a inbox \| assigned \| done folder/);
  });

  it('detects board paths only', () => {
    expect(taskBoardAdapter.detect('/r/work/collaboration/inbox/T-1.yaml', '')).toBe(0.95);
    expect(taskBoardAdapter.detect('/r/work/collaboration/done/T-1.yml', '')).toBe(0.95);
    expect(taskBoardAdapter.detect('/r/elsewhere/done/T-1.yaml', 'id: T-1\n')).toBe(0.6);
    expect(taskBoardAdapter.detect('/r/work/collaboration/archive/T-1.yaml', '')).toBe(0);
    expect(taskBoardAdapter.detect('/r/config.yaml', 'id: x')).toBe(0);
  });
});
