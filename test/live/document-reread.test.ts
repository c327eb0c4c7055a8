/**
 * WFC documents, live: REVIEW-*.json, BYPASS-AUDIT.json, aggregate.json and KNOWLEDGE.md are
 * re-read when they change, in place or replaced by a rename (as editors and atomic writers
 * do). A rewrite with the same content stores and publishes nothing; a change stores exactly
 * what the pipeline makes of the new content (checked against a second store fed by the
 * ingest command's pipeline), nothing twice.
 */
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, expect, test } from 'vitest';

import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { createAdapterRegistry } from '../../src/sources/registry.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { ROOT } from '../reliability/helpers.js';
import { createLiveBox, settle, waitFor, type LiveBox } from './helpers.js';

const boxes: LiveBox[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const b of boxes.splice(0)) await b.cleanup();
});

const FIXTURES = join(ROOT, 'test/fixtures/wfc');
const DOCS = {
  review: 'reviews/REVIEW-TASK-001.json',
  bypass: 'BYPASS-AUDIT.json',
  aggregate: 'telemetry/aggregate.json',
  knowledge: 'reviewers/security/KNOWLEDGE.md',
} as const;

async function ids(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.iterateEvents({})) out.push(e.id);
  return out.sort();
}

/** Writes through a temporary file and a rename (a new inode at the path). */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.tmp-write`, text);
  renameSync(`${path}.tmp-write`, path);
}

test('documents are re-read on change, idempotently', async () => {
  const b = createLiveBox();
  boxes.push(b);
  const paths = Object.fromEntries(
    Object.entries(DOCS).map(([k, rel]) => {
      const p = b.file(join('wfc', rel));
      copyFileSync(join(FIXTURES, rel), p);
      return [k, p];
    }),
  ) as Record<keyof typeof DOCS, string>;
  const reference = createSqliteStore(join(b.dir, 'data', 'reference.db'));
  stores.push(reference);
  const registry = createAdapterRegistry();
  const expected = async () => {
    await ingestFiles(reference, Object.values(paths), { registry });
    return ids(reference);
  };

  const t = await b.start([join(b.dir, 'wfc')]);
  const first = await expected();
  expect(first.length).toBeGreaterThan(10);
  expect(await ids(b.store)).toEqual(first);
  expect(t.fileCount).toBe(4);
  const adapters = new Set(b.published.map((e) => e.source.adapter));
  expect([...adapters].sort()).toEqual([
    'wfc-aggregate',
    'wfc-bypass',
    'wfc-knowledge',
    'wfc-review',
  ]);

  // The same content written again, in place and by rename: nothing new.
  const published = b.published.length;
  const since = Date.now();
  for (const [k, p] of Object.entries(paths)) {
    const text = readFileSync(p, 'utf8');
    if (k === 'review' || k === 'knowledge') writeFileSync(p, text);
    else replace(p, text);
  }
  await waitFor(
    () =>
      Object.values(paths).every((p) => (b.monitor.sources.get(p)?.lastChangeAt ?? 0) >= since)
        ? true
        : undefined,
    5_000,
    'every rewrite to be seen',
  );
  await t.whenIdle();
  expect(await ids(b.store)).toEqual(first);
  expect(b.published.length).toBe(published);

  // Real changes: a new knowledge entry, a new bypass, another aggregate snapshot, a review
  // with one more finding.
  writeFileSync(
    paths.knowledge,
    `${readFileSync(paths.knowledge, 'utf8')}\n## Patterns Found\n\n- [2026-02-21] Pickle loads of request bodies allow code execution.\n`,
  );
  const audit = JSON.parse(readFileSync(paths.bypass, 'utf8')) as { bypasses: unknown[] };
  audit.bypasses.push({
    bypass_id: 'BP-2026-0099',
    task_id: 'TASK-009',
    reason: 'Demo day.',
    bypassed_by: 'carol@example.com',
    created_at: '2026-02-21T09:00:00Z',
    expires_at: '2026-02-22T09:00:00Z',
    cs_at_bypass: 6.1,
    tier: 'moderate',
    revoked_at: null,
  });
  replace(paths.bypass, JSON.stringify(audit, null, 2));
  const aggregate = JSON.parse(readFileSync(paths.aggregate, 'utf8')) as Record<string, number>;
  aggregate['total_tasks'] = (aggregate['total_tasks'] ?? 0) + 1;
  aggregate['successful_tasks'] = (aggregate['successful_tasks'] ?? 0) + 1;
  replace(paths.aggregate, JSON.stringify(aggregate, null, 2));
  const review = JSON.parse(readFileSync(paths.review, 'utf8')) as { findings: unknown[] };
  review.findings.push({
    fingerprint: 'f'.repeat(64),
    file: 'src/api/upload.py',
    line_start: 10,
    line_end: 12,
    category: 'validation',
    severity: 5.0,
    severity_tier: 'moderate',
    confidence: 6.0,
    description: 'Upload size is not checked before reading the body.',
    reviewers: ['security'],
  });
  writeFileSync(paths.review, JSON.stringify(review, null, 2));

  const second = await expected();
  expect(second.length).toBeGreaterThanOrEqual(first.length + 4);
  const stored = await settle(b, t, second);
  expect(stored.length).toBe(second.length);
  expect(await ids(b.store)).toEqual(second);
  // Each stored event was published once.
  expect(b.published.map((e) => e.id).sort()).toEqual(second);
});
