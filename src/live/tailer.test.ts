import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { glob } from 'tinyglobby';
import { afterEach, describe, expect, test } from 'vitest';

import {
  agentLine,
  createLiveBox,
  createRng,
  kpiLine,
  openDescriptorsOn,
  settle,
  sorted,
  storedKeys,
  turn,
  waitFor,
  type LiveBox,
} from '../../test/live/helpers.js';
import type { Store } from '../store/types.js';
import { createSourceSpec, discoverSource, globBase, globToRegExp } from './tail-sources.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});
function box(): LiveBox {
  const b = createLiveBox();
  boxes.push(b);
  return b;
}
const lines = (ls: readonly { line: string }[]) => ls.map((l) => `${l.line}\n`).join('');

describe('catch-up and live appends', () => {
  test('start() resolves once everything already there is stored', async () => {
    const b = box();
    const rng = createRng(1);
    const kpis = Array.from({ length: 700 }, () => kpiLine(rng));
    writeFileSync(b.file('repo/.droid/kpis.jsonl'), lines(kpis));
    writeFileSync(
      b.file('repo/workspaces/s1/events.jsonl'),
      ['a', 'b', 'c'].map((m) => `${agentLine('s1', m)}\n`).join(''),
    );
    const t = await b.start([join(b.dir, 'repo')]);
    // No waiting: the catch-up has committed when start() resolves.
    expect(await storedKeys(b.store)).toEqual(sorted([...kpis.map((k) => k.id), 'a', 'b', 'c']));
    expect(t.fileCount).toBe(2);
    expect(b.published.length).toBe(703);
  });

  test('appends are ingested as they happen, each line once, bursts coalesced', async () => {
    const b = box();
    const file = b.file('.droid/kpis.jsonl');
    writeFileSync(file, '');
    const t = await b.start([file]);
    const rng = createRng(2);
    const written: string[] = [];
    // A burst of single-line appends, written faster than one ingest pass.
    for (let i = 0; i < 2000; i += 1) {
      const k = kpiLine(rng);
      written.push(k.id);
      appendFileSync(file, `${k.line}\n`);
      if (i % 50 === 0) await turn();
    }
    expect(await settle(b, t, written)).toEqual(sorted(written));
    // Coalesced: far fewer commits than appends.
    expect(b.commits.length).toBeLessThan(1000);
    const state = b.monitor.sources.get(file);
    expect(state?.offset).toBe(statSync(file).size);
    expect(state?.size).toBe(statSync(file).size);
    expect(state?.adapter).toBe('kpi');
    expect(b.monitor.lagBytes).toBe(0);
  });

  test('append → commit latency is milliseconds (inotify, no polling)', async () => {
    const b = box();
    const file = b.file('.droid/kpis.jsonl');
    writeFileSync(file, '');
    await b.start([file]);
    const rng = createRng(3);
    const latencies: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      const before = b.commits.length;
      const at = performance.now();
      appendFileSync(file, `${kpiLine(rng).line}\n`);
      const commit = await waitFor(
        () => (b.commits.length > before ? b.commits[before] : undefined),
        5_000,
        `commit of append ${i}`,
        1,
      );
      latencies.push(commit.at - at);
    }
    latencies.sort((x, y) => x - y);
    const p50 = latencies[Math.floor(latencies.length / 2)] as number;
    const max = latencies[latencies.length - 1] as number;
    console.info(`append→commit latency: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    expect(p50).toBeLessThan(100);
    expect(max).toBeLessThan(2_000);
  });

  test('a line written in two pieces waits for its newline (F1, live)', async () => {
    const b = box();
    const file = b.file('workspaces/s1/events.jsonl');
    writeFileSync(file, `${agentLine('s1', 'first')}\n`);
    const t = await b.start([file]);
    const line = agentLine('s1', 'split');
    appendFileSync(file, line.slice(0, 40));
    // The tailer has seen the partial line (its size is known) and stored nothing for it.
    await waitFor(
      () => (b.monitor.sources.get(file)?.size === statSync(file).size ? true : undefined),
      5_000,
      'the partial line to be seen',
    );
    await t.whenIdle();
    expect(await storedKeys(b.store)).toEqual(['first']);
    expect(b.monitor.lagBytes).toBe(40);
    appendFileSync(file, `${line.slice(40)}\n`);
    expect(await settle(b, t, ['first', 'split'])).toEqual(['first', 'split']);
    expect(b.monitor.lagBytes).toBe(0);
  });
});

describe('sources', () => {
  test('new files in a watched folder and under a glob are picked up without a rescan', async () => {
    const b = box();
    mkdirSync(join(b.dir, 'ws'), { recursive: true });
    mkdirSync(join(b.dir, 'tele'), { recursive: true });
    const t = await b.start([join(b.dir, 'ws'), join(b.dir, 'tele', '*', 'kpis.jsonl')]);
    expect(t.fileCount).toBe(0);
    const rng = createRng(4);
    const k = kpiLine(rng);
    writeFileSync(b.file('tele/a/kpis.jsonl'), `${k.line}\n`);
    writeFileSync(b.file('tele/a/other.jsonl'), `${kpiLine(rng).line}\n`);
    writeFileSync(b.file('ws/workspaces/s9/events.jsonl'), `${agentLine('s9', 'hello')}\n`);
    expect(await settle(b, t, [k.id, 'hello'])).toEqual(sorted([k.id, 'hello']));
    expect(t.fileCount).toBe(2);
  });

  test('a source folder that does not exist yet is tailed once it appears', async () => {
    const b = box();
    const t = await b.start([join(b.dir, 'later', 'workspaces')]);
    writeFileSync(b.file('later/workspaces/s1/events.jsonl'), `${agentLine('s1', 'late')}\n`);
    expect(await settle(b, t, ['late'])).toEqual(['late']);
    appendFileSync(join(b.dir, 'later/workspaces/s1/events.jsonl'), `${agentLine('s1', 'more')}\n`);
    expect(await settle(b, t, ['late', 'more'])).toEqual(['late', 'more']);
  });

  test('a single-file source that does not exist yet is tailed once written', async () => {
    const b = box();
    const file = join(b.dir, '.droid', 'kpis.jsonl');
    mkdirSync(join(b.dir, '.droid'));
    const t = await b.start([file]);
    const k = kpiLine(createRng(5));
    writeFileSync(file, `${k.line}\n`);
    expect(await settle(b, t, [k.id])).toEqual([k.id]);
  });

  test('unrecognised files found by walking are skipped quietly; a named one is reported once', async () => {
    const b = box();
    writeFileSync(b.file('logs/notes.txt'), 'hello\n');
    writeFileSync(b.file('logs/workspaces/s1/events.jsonl'), `${agentLine('s1', 'x')}\n`);
    const named = b.file('elsewhere/data.bin');
    writeFileSync(named, 'not telemetry\n');
    const t = await b.start([join(b.dir, 'logs'), named]);
    expect(await storedKeys(b.store)).toEqual(['x']);
    expect(t.fileCount).toBe(1);
    expect(b.monitor.sources.has(join(b.dir, 'logs/notes.txt'))).toBe(false);
    expect(b.monitor.errors).toBe(1);
    expect(b.monitor.lastError?.message).toContain(named);
    appendFileSync(named, 'still not\n');
    appendFileSync(join(b.dir, 'logs/notes.txt'), 'more\n');
    appendFileSync(join(b.dir, 'logs/workspaces/s1/events.jsonl'), `${agentLine('s1', 'y')}\n`);
    await settle(b, t, ['x', 'y']);
    expect(b.monitor.errors).toBe(1);
  });

  test('rejected lines are reported to the monitor with file and line, and tailing goes on', async () => {
    const b = box();
    const file = b.file('.droid/kpis.jsonl');
    const rng = createRng(6);
    const good = [kpiLine(rng), kpiLine(rng)];
    writeFileSync(file, `${good[0]?.line}\n{"event_id": broken\n`);
    const t = await b.start([file]);
    appendFileSync(file, `${good[1]?.line}\n`);
    const ids = good.map((g) => g.id);
    expect(await settle(b, t, ids)).toEqual(sorted(ids));
    expect(b.monitor.rejectsByReason.get('invalid_json')).toBe(1);
    expect(b.monitor.recentRejects[0]).toMatchObject({ file, line: 2, reason: 'invalid_json' });
  });
});

describe('errors', () => {
  test('a failing store shows in the monitor (per file), is retried with backoff, and nothing is lost or doubled', async () => {
    const b = box();
    const file = b.file('.droid/kpis.jsonl');
    const rng = createRng(9);
    const first = Array.from({ length: 5 }, () => kpiLine(rng));
    writeFileSync(file, lines(first));
    let failuresLeft = 3;
    const real = b.store;
    const flaky: Store = {
      ...real,
      ingest: (batch) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          return Promise.reject(new Error('database is locked'));
        }
        return real.ingest(batch);
      },
    };
    const t = await b.start([file], { store: flaky });
    expect(b.monitor.errors).toBe(1);
    expect(b.monitor.sources.get(file)?.lastError ?? b.monitor.lastError?.message).toMatch(
      /database is locked/,
    );
    const second = Array.from({ length: 5 }, () => kpiLine(rng));
    appendFileSync(file, lines(second));
    const all = [...first, ...second].map((k) => k.id);
    expect(await settle(b, t, all)).toEqual(sorted(all));
    expect(failuresLeft).toBe(0);
    // The same failure repeated is reported once, not once per retry.
    expect(b.monitor.errors).toBe(1);
    expect(b.monitor.sources.get(file)?.lastError).toBeNull();
  });
});

describe('stop', () => {
  test('stop() closes every descriptor and stops ingesting; a new tailer resumes exactly', async () => {
    const b = box();
    const file = b.file('.droid/kpis.jsonl');
    const rng = createRng(8);
    const first = Array.from({ length: 10 }, () => kpiLine(rng));
    writeFileSync(file, lines(first));
    const t = await b.start([file]);
    expect(openDescriptorsOn(file)).toBe(1);
    await t.stop();
    expect(openDescriptorsOn(file)).toBe(0);
    const second = Array.from({ length: 10 }, () => kpiLine(rng));
    appendFileSync(file, lines(second));
    // Nothing is watching any more: the store does not move.
    await new Promise<void>((r) => setImmediate(r));
    expect(await b.store.countEvents({})).toBe(10);
    const t2 = await b.start([file]);
    const all = [...first, ...second].map((k) => k.id);
    expect(await settle(b, t2, all)).toEqual(sorted(all));
  });
});

describe('glob matching', () => {
  test('matches what the ingest command expands (never inside node_modules), and finds the folder to watch', async () => {
    const b = box();
    const files = [
      'a/x.jsonl',
      'a/x.jsonl.1',
      'a/b/y.jsonl',
      'a/b/c/z.jsonl',
      'a/.hidden.jsonl',
      'a/node_modules/m.jsonl',
      'work/collaboration/inbox/T-1.yaml',
      'work/collaboration/done/T-2.yaml',
      'work/collaboration/other/T-3.yaml',
      'work/collaboration/inbox/T-4.yml',
      'k/kpis-2.jsonl',
      'k/kpis-a.jsonl',
    ];
    for (const f of files) writeFileSync(b.file(f), '');
    const patterns = [
      'a/*.jsonl',
      'a/*.jsonl*',
      'a/**/*.jsonl',
      'a/**',
      'work/collaboration/{inbox,assigned,done}/*.yaml',
      'work/collaboration/*/*.y?ml',
      'k/kpis-[0-9].jsonl',
      'k/kpis-[!0-9].jsonl',
    ];
    for (const p of patterns) {
      const pattern = join(b.dir, p);
      const expected = await glob(pattern, {
        absolute: true,
        onlyFiles: true,
        dot: true,
        ignore: ['**/node_modules/**', '**/.git/**'],
        expandDirectories: false,
      });
      const spec = createSourceSpec({ path: pattern });
      const all = files.map((f) => join(b.dir, f));
      expect(all.filter((f) => spec.matches(f)).sort(), p).toEqual(
        expected.filter((f) => !f.includes('/node_modules/')).sort(),
      );
      expect(await discoverSource(spec), p).toEqual(
        expected.filter((f) => !f.includes('/node_modules/')).sort(),
      );
    }
    expect(globBase(join(b.dir, 'work/collaboration/{inbox,done}/*.yaml'))).toEqual({
      base: join(b.dir, 'work/collaboration'),
      depth: 1,
    });
    expect(globBase('/r/**/*.jsonl')).toEqual({ base: '/r', depth: undefined });
    expect(globToRegExp('/r/a\\*b').test('/r/a*b')).toBe(true);
  });
});
