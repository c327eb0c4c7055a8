/**
 * The store contract: one Vitest suite every backend must pass (Hono's `common.case.test.ts`,
 * Kysely's suite looped over every dialect). It uses only the `Store` interface and the pure
 * semantics in src/core, so SQLite and PostgreSQL are held to the same numbers.
 *
 * @example
 * // src/store/sqlite/sqlite-store.test.ts
 * describeStoreContract('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'vigil-'));
 *   const store = createSqliteStore(join(dir, 'vigil.db'));
 *   return { store, reopen: async () => createSqliteStore(join(dir, 'vigil.db')), cleanup: ... };
 * });
 */
import { describe, it } from 'vitest';

import type { VigilEvent } from '../../core/event.js';
import type { EventQuery, Store } from '../types.js';
import { describeAggregates } from './aggregates.case.js';
import { describeCheckpoints } from './checkpoints.case.js';
import type { ContractContext, StoreHarness } from './fixtures.js';
import { describeIngest } from './ingest.case.js';
import { describeMaintenance } from './maintenance.case.js';
import { describeQueries } from './queries.case.js';
import { describeSequence } from './sequence.case.js';
import { describeSessions } from './sessions.case.js';
import { describeTaskJoin } from './task-join.case.js';

export { at, makeEvent, prng, type StoreHarness } from './fixtures.js';

/**
 * Declares the full contract suite for one backend. `open` must return a fresh, empty store
 * each time; `cleanup` is awaited after every test.
 */
export function describeStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  /** One test on a fresh store, cleaned up whatever happens. */
  const storeIt = (title: string, fn: (h: StoreHarness) => Promise<void>, timeoutMs?: number) =>
    it(
      title,
      async () => {
        const h = await open();
        try {
          await fn(h);
        } finally {
          await h.cleanup();
        }
      },
      timeoutMs,
    );

  const idsOf = async (store: Store, q: EventQuery = {}) =>
    (await store.queryEvents({ limit: 10_000, ...q })).events.map((e) => e.id);

  const collect = async (source: AsyncIterable<VigilEvent>) => {
    const out: VigilEvent[] = [];
    for await (const e of source) out.push(e);
    return out;
  };

  const ctx: ContractContext = { storeIt, idsOf, collect };

  describe(`Store contract: ${name}`, () => {
    describeIngest(ctx);
    describeCheckpoints(ctx);
    describeQueries(ctx);
    describeTaskJoin(ctx);
    describeAggregates(ctx);
    describeSessions(ctx);
    describeMaintenance(ctx);
    describeSequence(ctx);
  });
}
