/**
 * Seed 004 task board, live: a YAML task file moved inbox → assigned → done (renames, as the
 * board's tools do) becomes task.created, task.assigned and task.completed, each exactly once,
 * published on the live bus once each and in that order; an edit in place is a task.updated.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect, test } from 'vitest';

import { createLiveBox, waitFor, type LiveBox } from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

const task = (status: string) => `id: T-0042
title: Add a retry budget to the ingest worker
agent: backend-dev
priority: high
status: ${status}
created_at: "2026-02-05T09:12:00Z"
`;

async function typesOf(b: LiveBox, taskId: string): Promise<string[]> {
  const page = await b.store.queryEvents({ taskId, limit: 100 });
  return page.events.map((e) => e.type).sort();
}

async function waitForTypes(b: LiveBox, taskId: string, n: number): Promise<string[]> {
  return waitFor(
    async () => {
      const types = await typesOf(b, taskId);
      return types.length >= n ? types : undefined;
    },
    10_000,
    `${n} events for ${taskId}`,
  );
}

test.for([
  { name: 'folder source', source: 'work/collaboration' },
  { name: 'glob source', source: 'work/collaboration/{inbox,assigned,done}/*.yaml' },
])(
  'a task moved inbox → assigned → done: created, assigned, completed once each ($name)',
  async ({ source }) => {
    const b = createLiveBox();
    boxes.push(b);
    const column = (c: string) => join(b.dir, 'work/collaboration', c);
    for (const c of ['inbox', 'assigned', 'done']) mkdirSync(column(c), { recursive: true });
    const t = await b.start([join(b.dir, source)]);

    writeFileSync(join(column('inbox'), 'T-0042.yaml'), task('new'));
    expect(await waitForTypes(b, 'T-0042', 1)).toEqual(['task.created']);
    renameSync(join(column('inbox'), 'T-0042.yaml'), join(column('assigned'), 'T-0042.yaml'));
    expect(await waitForTypes(b, 'T-0042', 2)).toEqual(['task.assigned', 'task.created']);
    renameSync(join(column('assigned'), 'T-0042.yaml'), join(column('done'), 'T-0042.yaml'));
    expect(await waitForTypes(b, 'T-0042', 3)).toEqual([
      'task.assigned',
      'task.completed',
      'task.created',
    ]);
    await t.whenIdle();
    expect(await typesOf(b, 'T-0042')).toEqual(['task.assigned', 'task.completed', 'task.created']);
    expect(b.published.map((e) => e.type)).toEqual([
      'task.created',
      'task.assigned',
      'task.completed',
    ]);
    // The file left behind nothing tracked in the columns it moved out of.
    expect(b.monitor.sources.has(join(column('inbox'), 'T-0042.yaml'))).toBe(false);
    expect(b.monitor.sources.has(join(column('assigned'), 'T-0042.yaml'))).toBe(false);
    expect(t.fileCount).toBe(1);
  },
);

test('a task edited in place is one task.updated; rewriting the same content is nothing', async () => {
  const b = createLiveBox();
  boxes.push(b);
  const file = b.file('work/collaboration/assigned/T-0042.yaml');
  writeFileSync(file, task('in_progress'));
  const t = await b.start([join(b.dir, 'work/collaboration')]);
  expect(await typesOf(b, 'T-0042')).toEqual(['task.assigned']);
  writeFileSync(file, task('in_progress'));
  await waitFor(
    () => ((b.monitor.sources.get(file)?.lastChangeAt ?? 0) > 0 ? true : undefined),
    5_000,
    'the rewrite to be seen',
  );
  await t.whenIdle();
  expect(await typesOf(b, 'T-0042')).toEqual(['task.assigned']);
  writeFileSync(file, task('blocked'));
  expect(await waitForTypes(b, 'T-0042', 2)).toEqual(['task.assigned', 'task.updated']);
  await t.whenIdle();
  expect(b.published.map((e) => e.type)).toEqual(['task.assigned', 'task.updated']);
});
