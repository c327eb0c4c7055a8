/**
 * F17: random sequences of write / split write / rename rotation / copytruncate / truncate /
 * delete / stop / start, against a model of the keys written (Vector's quickcheck). Lines that
 * a truncation or deletion destroyed before they were stored may or may not be stored; every
 * other line must be, and no line is stored twice. Seeded, so a failure replays exactly.
 */
import { appendFileSync, existsSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';

import { afterEach, expect, test } from 'vitest';

import type { Tailer } from '../../src/live/tailer.js';
import {
  agentLine,
  createLiveBox,
  createRng,
  kpiLine,
  rotateByCopy,
  rotateByRename,
  storedKeys,
  turn,
  waitFor,
  type LiveBox,
} from './helpers.js';

const boxes: LiveBox[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.cleanup();
});

interface Stream {
  file: string;
  /** A line and its key. */
  next(): { key: string; line: string };
  /** Keys of the lines in the file now at the path (what a truncation or deletion destroys). */
  current: string[];
  /** The second half of a line written in two pieces, not written yet. */
  pendingTail: string | null;
  pendingKey: string | null;
}

type Op = 'write' | 'split' | 'rename' | 'copy' | 'truncate' | 'delete' | 'restart' | 'idle';
const OPS: readonly [Op, number][] = [
  ['write', 40],
  ['split', 8],
  ['rename', 7],
  ['copy', 7],
  ['truncate', 4],
  ['delete', 3],
  ['restart', 5],
  ['idle', 10],
];

function pick(rng: () => number): Op {
  const total = OPS.reduce((a, [, w]) => a + w, 0);
  let r = rng() * total;
  for (const [op, w] of OPS) {
    r -= w;
    if (r < 0) return op;
  }
  return 'write';
}

async function runCase(seed: number, steps: number): Promise<void> {
  const b = createLiveBox();
  boxes.push(b);
  const rng = createRng(seed);
  let n = 0;
  const streams: Stream[] = [
    {
      file: b.file('repo/.droid/kpis.jsonl'),
      next: () => {
        const k = kpiLine(rng);
        return { key: k.id, line: k.line };
      },
      current: [],
      pendingTail: null,
      pendingKey: null,
    },
    {
      file: b.file('repo/workspaces/s1/events.jsonl'),
      next: () => {
        n += 1;
        const key = `s${seed}-m${n}`;
        return { key, line: agentLine('s1', key) };
      },
      current: [],
      pendingTail: null,
      pendingKey: null,
    },
  ];
  const required = new Set<string>();
  const optional = new Set<string>();
  const log: string[] = [];
  for (const s of streams) writeFileSync(s.file, '');
  const sources = streams.map((s) => s.file);
  let tailer: Tailer | null = await b.start(sources, { batchEvents: 20 });

  const finishSplit = (s: Stream) => {
    if (s.pendingTail === null || s.pendingKey === null) return;
    appendFileSync(s.file, s.pendingTail);
    required.add(s.pendingKey);
    s.current.push(s.pendingKey);
    s.pendingTail = null;
    s.pendingKey = null;
  };
  /** What the path holds now is about to be destroyed: what is not stored yet may be lost. */
  const destroying = async (s: Stream) => {
    const stored = new Set(await storedKeys(b.store));
    for (const k of s.current) {
      if (!stored.has(k)) {
        required.delete(k);
        optional.add(k);
      }
    }
    s.current = [];
  };

  for (let step = 0; step < steps; step += 1) {
    const op = pick(rng);
    const s = streams[Math.floor(rng() * streams.length)] as Stream;
    log.push(`${op} ${s.file.slice(-12)}`);
    if (op !== 'write' && op !== 'split' && op !== 'idle' && op !== 'restart') finishSplit(s);
    switch (op) {
      case 'write': {
        finishSplit(s);
        const count = 1 + Math.floor(rng() * 30);
        let text = '';
        for (let i = 0; i < count; i += 1) {
          const { key, line } = s.next();
          required.add(key);
          s.current.push(key);
          text += `${line}\n`;
        }
        appendFileSync(s.file, text);
        break;
      }
      case 'split': {
        finishSplit(s);
        const { key, line } = s.next();
        const cut = 1 + Math.floor(rng() * (line.length - 1));
        appendFileSync(s.file, line.slice(0, cut));
        s.pendingTail = `${line.slice(cut)}\n`;
        s.pendingKey = key;
        break;
      }
      case 'rename':
        if (existsSync(s.file)) rotateByRename(s.file);
        s.current = [];
        break;
      case 'copy':
        if (existsSync(s.file)) rotateByCopy(s.file);
        s.current = [];
        break;
      case 'truncate':
        await destroying(s);
        if (existsSync(s.file)) truncateSync(s.file, 0);
        break;
      case 'delete':
        await destroying(s);
        if (existsSync(s.file)) unlinkSync(s.file);
        break;
      case 'restart':
        if (tailer !== null) {
          await tailer.stop();
          tailer = null;
          if (rng() < 0.5) await b.reopenStore();
        } else {
          tailer = await b.start(sources, { batchEvents: 20 });
        }
        break;
      case 'idle':
        if (rng() < 0.5) await tailer?.whenIdle();
        else await turn();
        break;
      default:
        op satisfies never;
    }
    if (rng() < 0.3) await turn();
  }
  for (const s of streams) finishSplit(s);
  tailer ??= await b.start(sources, { batchEvents: 20 });
  const t = tailer;
  const context = () => `seed ${seed}; last ops: ${log.slice(-25).join(', ')}`;
  await waitFor(
    async () => {
      const stored = new Set(await storedKeys(b.store));
      return [...required].every((k) => stored.has(k)) ? true : undefined;
    },
    15_000,
    `every required line stored (${context()})`,
  ).catch(() => {});
  await t.whenIdle();
  const stored = await storedKeys(b.store);
  const storedSet = new Set(stored);
  const missing = [...required].filter((k) => !storedSet.has(k));
  const unexpected = stored.filter((k) => !required.has(k) && !optional.has(k));
  const twice = stored.filter((k, i) => stored[i - 1] === k);
  expect({ missing, unexpected, twice }, context()).toEqual({
    missing: [],
    unexpected: [],
    twice: [],
  });
  expect(await b.store.checkIntegrity()).toEqual({ ok: true, problems: [] });
  await t.stop();
}

test.for([1701, 1702, 1703, 1704, 1705])(
  'F17: random write/rotate/truncate/delete/restart sequences match the model (seed %i)',
  async (seed) => {
    await runCase(seed, 160);
  },
);
