/**
 * D2: `prune` and `sanitize` killed with SIGKILL at random moments on a store of 50k events.
 * Each command promises one transaction: after the kill the store is exactly the old state or
 * exactly the new state (compared by a sha256 of `events --all --format jsonl` plus
 * `sessions --format json`, both states computed once on a copy), a rerun from the old state
 * completes it to the new state (the same counts as the reference run; every third time the whole
 * state is compared), and a rerun on the new state changes nothing.
 *
 * The kill point is a random moment between half the startup time (a run with nothing to do) and
 * 1.3 × one full run after spawn, so kills land during startup and store open, inside the
 * transaction, and after the commit. Every run starts from a copy of the same store.
 * The two commands run concurrently, each on its own copies (Vitest runs files one at a time).
 */
import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  createRng,
  createSandbox,
  doctor,
  finished,
  killPointDelay,
  startVigil,
  vigil,
  type Sandbox,
} from './helpers.js';
import {
  buildPristineStore,
  restore,
  SECRET_MESSAGE,
  type PristineStore,
} from './maintenance-store.js';

const RUNS = 10;

let store: PristineStore;
const boxes: Sandbox[] = [];
beforeAll(async () => {
  store = await buildPristineStore();
  boxes.push(store.box);
}, 120_000);
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

interface State {
  hash: string;
  events: Record<string, unknown>[];
}

/** The observable state: every event and every session, hashed. */
async function stateOf(box: Sandbox): Promise<State> {
  const ev = await vigil(box, ['events', '--all', '--format', 'jsonl']);
  expect(ev.code, ev.stderr).toBe(0);
  const ss = await vigil(box, [
    'sessions',
    '--since',
    '400d',
    '--limit',
    '100000',
    '--format',
    'json',
  ]);
  expect(ss.code === 0 || ss.code === 1, ss.stderr).toBe(true);
  const hash = createHash('sha256').update(ev.stdout).update('\0').update(ss.stdout).digest('hex');
  return {
    hash,
    events: ev.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A maintenance command's `--json` result without its clock-dependent cutoff. */
function counts(stdout: string): Record<string, unknown> {
  const { before: _before, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
}

interface Case {
  name: string;
  args: string[];
  /** Checks the new state against the written records. */
  checkNew: (s: State) => void;
  /** From the `--json` output of a rerun on the new state: nothing was changed. */
  nothingChanged: (json: Record<string, unknown>) => void;
}

const CASES: Case[] = [
  {
    name: 'prune --older-than 30d',
    args: ['prune', '--older-than', '30d', '--json'],
    checkNew: (s) => {
      const recent = store.records.filter((r) => !r.old).map((r) => r.id);
      expect(s.events.length).toBe(recent.length);
      expect(new Set(s.events.map((e) => e['event_id']))).toEqual(new Set(recent));
    },
    nothingChanged: (j) => expect(j).toMatchObject({ events: 0, tasks: 0, sessions: 0 }),
  },
  {
    name: 'sanitize --field error_message',
    args: ['sanitize', '--field', 'error_message', '--json'],
    checkNew: (s) => {
      expect(s.events.length).toBe(store.records.length);
      expect(new Set(s.events.map((e) => e['event_id']))).toEqual(
        new Set(store.records.map((r) => r.id)),
      );
      const leaked = s.events.filter((e) =>
        /hunter2|bob@example\.com|\/home\/alice/.test(String(e['error_message'])),
      );
      expect(leaked.length).toBe(0);
    },
    nothingChanged: (j) => expect(j).toMatchObject({ changed: 0 }),
  },
];

describe.concurrent('D2: prune / sanitize killed mid-run', () => {
  test.each(CASES)(
    '$name: killed at random moments: old state or new state, rerun idempotent',
    async (c) => {
      const started = performance.now();
      const box = createSandbox('vigil-d2run-');
      boxes.push(box);
      restore(box, store.pristine);
      const old = await stateOf(box);
      expect(old.events.length).toBe(store.records.length);
      expect(
        old.events.filter((e) => String(e['error_message']).startsWith(SECRET_MESSAGE)).length,
      ).toBeGreaterThan(0);
      const full = await vigil(box, c.args);
      expect(full.code, full.stderr).toBe(0);
      const fresh = await stateOf(box);
      c.checkNew(fresh);
      expect(fresh.hash).not.toBe(old.hash);
      expect(await doctor(box)).toMatchObject({ ok: true, problems: [] });
      // A run with nothing left to do: how long startup, store open and exit take.
      const idle = await vigil(box, c.args);
      expect(idle.code, idle.stderr).toBe(0);
      c.nothingChanged(JSON.parse(idle.stdout) as Record<string, unknown>);
      const from = idle.ms * 0.5;
      const to = Math.max(full.ms * 1.3, from + 100);

      const rng = createRng(c.name.length * 7919);
      const seen = { old: 0, new: 0 };
      for (let run = 1; run <= RUNS; run++) {
        restore(box, store.pristine);
        const child = startVigil(box, c.args);
        const exited = finished(child);
        await killPointDelay(from + rng() * (to - from));
        child.kill('SIGKILL');
        const r = await exited;
        if (r.signal !== 'SIGKILL') expect(r.code, r.stderr).toBe(0);
        const after = await stateOf(box);
        const which =
          after.hash === old.hash ? 'old' : after.hash === fresh.hash ? 'new' : 'neither';
        expect(
          which,
          `run ${run}: the store after the kill is neither the old nor the new state`,
        ).not.toBe('neither');
        seen[which as 'old' | 'new'] += 1;
        if (run % 3 === 0)
          expect(await doctor(box), `doctor after kill ${run}`).toMatchObject({
            ok: true,
            problems: [],
          });

        // Rerun: from the old state it completes the change; on the new one it changes nothing.
        const rerun = await vigil(box, c.args);
        expect(rerun.code, rerun.stderr).toBe(0);
        if (which === 'new') {
          c.nothingChanged(JSON.parse(rerun.stdout) as Record<string, unknown>);
          continue;
        }
        // From the old state the rerun does exactly what the reference run did (same counts);
        // every third time the whole state is compared and a further rerun changes nothing.
        expect(counts(rerun.stdout), `run ${run}: rerun after the kill`).toEqual(
          counts(full.stdout),
        );
        if (run % 3 !== 0) continue;
        expect((await stateOf(box)).hash, `run ${run}: rerun after the kill`).toBe(fresh.hash);
        const again = await vigil(box, c.args);
        expect(again.code, again.stderr).toBe(0);
        c.nothingChanged(JSON.parse(again.stdout) as Record<string, unknown>);
      }
      expect(await doctor(box)).toMatchObject({ ok: true, problems: [] });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `D2 ${c.name}: ${RUNS} kills: ${seen.old} left the old state, ${seen.new} the new one; full run ${full.ms.toFixed(0)} ms; ${seconds} s`,
      );
    },
    240_000,
  );
});
