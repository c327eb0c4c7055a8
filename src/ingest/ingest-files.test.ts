import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { createAdapterRegistry } from '../sources/registry.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { IngestBatchResult } from '../store/types.js';
import { ingestFiles } from './ingest-files.js';

const fixture = join(import.meta.dirname, '../../test/fixtures/kpi/kpis.jsonl');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ingestFiles onCommit', () => {
  it('gives the committed events during the call and refuses them afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
    dirs.push(dir);
    const file = join(dir, 'kpis.jsonl');
    copyFileSync(fixture, file);
    const store = createSqliteStore(join(dir, 'vigil.db'));
    const seen: IngestBatchResult[] = [];
    let during = 0;
    try {
      const totals = await ingestFiles(store, [file], {
        registry: createAdapterRegistry(),
        batchEvents: 2,
        onCommit: (r) => {
          during += r.committed.length;
          seen.push(r);
        },
      });
      expect(totals.inserted).toBe(3);
    } finally {
      await store.close();
    }
    expect(during).toBe(3);
    expect(seen.map((r) => r.inserted)).toEqual([2, 1]);
    expect(() => seen[0]?.committed).toThrow(/inside onCommit/);
  });
});
