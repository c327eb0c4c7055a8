/**
 * F15: thousands of files, created and appended to faster than the watcher can keep up (the
 * kernel's event queue overflows while the event loop is blocked writing them): the periodic
 * rescan finds every file and every append (Fluent Bit #1108). And with no watcher at all
 * (`watch: false`), the rescan alone tails everything.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { agentLine, createLiveBox, settle, sorted, type LiveBox } from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

/** Writes `sessions` session logs of `perFile` lines each, then appends one more line to each. */
function writeSessions(root: string, sessions: number, perFile: number, tag: string): string[] {
  const expected: string[] = [];
  for (let s = 0; s < sessions; s += 1) {
    const dir = join(root, `sess_${tag}_${s}`);
    mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < perFile; i += 1) {
      const m = `${tag}-${s}-${i}`;
      expected.push(m);
      lines.push(`${agentLine(`sess_${tag}_${s}`, m)}\n`);
    }
    writeFileSync(join(dir, 'events.jsonl'), lines.join(''));
  }
  for (let s = 0; s < sessions; s += 1) {
    const m = `${tag}-${s}-appended`;
    expected.push(m);
    appendFileSync(join(root, `sess_${tag}_${s}`, 'events.jsonl'), `${agentLine('x', m)}\n`);
  }
  return expected;
}

describe('F15: thousands of files', () => {
  test('watcher overflowed: the rescan finds every append the kernel dropped', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const root = b.file('repo/workspaces');
    const sessions = 2000;
    const expected = writeSessions(root, sessions, 1, 'a');
    const t = await b.start([root], { rescanIntervalMs: 500, batchEvents: 1000 });
    expect(await b.store.countEvents({})).toBe(expected.length);
    expect(t.fileCount).toBe(sessions);
    // With the event loop blocked: fill the kernel's queue (writes alternating between two
    // files are never merged), then append to every session file: those events are dropped.
    const maxQueued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    const noise = [join(root, 'noise-a.tmp'), join(root, 'noise-b.tmp')];
    for (let i = 0; i < maxQueued + 1000; i += 1) appendFileSync(noise[i % 2] as string, '.');
    for (let s = 0; s < sessions; s += 1) {
      const m = `a-${s}-after-overflow`;
      expected.push(m);
      appendFileSync(join(root, `sess_a_${s}`, 'events.jsonl'), `${agentLine('x', m)}\n`);
    }
    const stored = await settle(b, t, expected, 25_000);
    expect(stored.length).toBe(expected.length);
    expect(stored).toEqual(sorted(expected));
    expect(t.fileCount).toBe(sessions);
  });

  test('no watcher (watch: false): rescans alone tail new files and appends', async () => {
    const b = createLiveBox();
    boxes.push(b);
    const root = b.file('repo/workspaces');
    mkdirSync(root, { recursive: true });
    const t = await b.start([root], { rescanIntervalMs: 100, watch: false });
    const expected = writeSessions(root, 1500, 1, 'b');
    expect(await settle(b, t, expected, 25_000)).toEqual(sorted(expected));
    const more = 'b-0-later';
    appendFileSync(join(root, 'sess_b_0', 'events.jsonl'), `${agentLine('x', more)}\n`);
    expect(await settle(b, t, [...expected, more])).toEqual(sorted([...expected, more]));
  });
});
