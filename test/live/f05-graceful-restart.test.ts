/**
 * F5: graceful stop in the middle of a file, then a restart, 20 times, with the writer adding
 * lines between restarts: every line stored exactly once. stop() lets the batch in flight
 * commit with its checkpoint, and the next tailer (on a reopened store) resumes from it.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { afterEach, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  kpiLine,
  settle,
  sorted,
  storedKeys,
  waitFor,
  type LiveBox,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

test('F5: stopped mid-file and restarted 20 times: exactly once', async () => {
  const b = createLiveBox();
  boxes.push(b);
  const kpiFile = b.file('repo/.droid/kpis.jsonl');
  const agentFile = b.file('repo/workspaces/s1/events.jsonl');
  const rng = createRng(505);
  const expected: string[] = [];
  let n = 0;
  const write = (count: number) => {
    let kpis = '';
    let agents = '';
    for (let i = 0; i < count; i += 1, n += 1) {
      const k = kpiLine(rng);
      expected.push(k.id);
      kpis += `${k.line}\n`;
      expected.push(`line-${n}`);
      agents += `${agentLine('s1', `line-${n}`)}\n`;
    }
    appendFileSync(kpiFile, kpis);
    appendFileSync(agentFile, agents);
  };
  writeFileSync(kpiFile, '');
  writeFileSync(agentFile, '');
  write(6000);
  let stoppedMidFile = 0;
  for (let round = 0; round < 20; round += 1) {
    const before = await b.store.countEvents({});
    const t = b.tailer([kpiFile, agentFile], { batchEvents: 25 });
    const started = t.start();
    // Stop as soon as this run has committed something: in the middle of the backlog.
    await waitFor(
      async () => ((await b.store.countEvents({})) > before ? true : undefined),
      10_000,
      `round ${round} to commit`,
      1,
    );
    await t.stop();
    await started;
    const after = await b.store.countEvents({});
    if (after < expected.length) stoppedMidFile += 1;
    // Nothing stored twice so far, and nothing stored that was not written.
    const keys = await storedKeys(b.store);
    expect(new Set(keys).size, `round ${round}`).toBe(keys.length);
    const written = new Set(expected);
    expect(keys.filter((k) => !written.has(k))).toEqual([]);
    await b.reopenStore();
    write(300);
  }
  expect(stoppedMidFile).toBeGreaterThanOrEqual(10);
  const t = await b.start([kpiFile, agentFile]);
  const stored = await settle(b, t, expected);
  expect(stored.length).toBe(expected.length);
  expect(stored).toEqual(sorted(expected));
  expect(await b.store.checkIntegrity()).toEqual({ ok: true, problems: [] });
});
