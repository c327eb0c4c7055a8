import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createFileSink } from './file-sink.js';
import { createRecordPump } from './record-pump.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-file-sink-'));
  dirs.push(d);
  return d;
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Every file of the export, oldest first: `<path>.<n>` ... `<path>.1`, `<path>`. */
function exportFiles(dir: string, base: string): string[] {
  const rotated = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.`))
    .sort((a, b) => Number(b.slice(base.length + 1)) - Number(a.slice(base.length + 1)));
  return [...rotated, base].map((f) => join(dir, f));
}

describe('createFileSink', () => {
  it('rotates by size across many writes: every line exactly once, in order, no file over max_bytes', async () => {
    const dir = tempDir();
    const path = join(dir, 'vigil-structured.jsonl');
    const maxBytes = 8192;
    const pump = createRecordPump(createFileSink({ path, maxBytes, maxFiles: 1000 }), {
      maxBuffer: 100_000,
      reconnectMaxMs: 1_000,
      log: silent,
    });
    const total = 5_000;
    for (let i = 0; i < total; i += 1) {
      // Lines of varying length so rotation points fall everywhere.
      pump.push(Buffer.from(`${JSON.stringify({ n: i, pad: 'x'.repeat(i % 97) })}\n`));
    }
    await pump.close(30_000);
    expect(pump.stats()).toMatchObject({ sent: total, dropped: 0, queued: 0 });

    const files = exportFiles(dir, 'vigil-structured.jsonl');
    expect(files.length).toBeGreaterThan(30);
    const seen: number[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(statSync(file).size).toBeLessThanOrEqual(maxBytes);
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.split('\n').slice(0, -1)) {
        seen.push((JSON.parse(line) as { n: number }).n);
      }
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('keeps max_files rotated files, the newest as .1, and gives an oversized record a file of its own', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    const sink = createFileSink({ path, maxBytes: 256, maxFiles: 3 });
    const line = (n: number, size = 100) => Buffer.from(`${String(n).padEnd(size - 1, '.')}\n`);
    for (let n = 0; n < 10; n += 1) await sink.send([line(n)]);
    await sink.send([line(99, 1000)]);
    await sink.send([line(100)]);
    await sink.close();
    expect(readdirSync(dir).sort()).toEqual([
      'out.jsonl',
      'out.jsonl.1',
      'out.jsonl.2',
      'out.jsonl.3',
    ]);
    expect(readFileSync(path, 'utf8')).toBe(line(100).toString());
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(99, 1000).toString());
    // 100-byte lines, 256 bytes a file: two lines a file (0-1, 2-3, ..., 8-9), then 99 alone.
    expect(readFileSync(`${path}.2`, 'utf8')).toBe(`${line(8).toString()}${line(9).toString()}`);
    expect(readFileSync(`${path}.3`, 'utf8')).toBe(`${line(6).toString()}${line(7).toString()}`);
  });

  it('reopens the file when someone else removed it', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    const sink = createFileSink({ path, maxBytes: 1 << 20, maxFiles: 2 });
    await sink.send([Buffer.from('a\n')]);
    unlinkSync(path);
    await sink.send([Buffer.from('b\n')]);
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe('b\n');
  });

  it('rejects while the folder cannot be written, and the pump sends everything once it can', async () => {
    const dir = tempDir();
    // A file where the export's folder should be: mkdir fails until it is removed.
    const blocker = join(dir, 'logs');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(blocker, 'not a folder');
    const warnings: string[] = [];
    const pump = createRecordPump(
      createFileSink({ path: join(blocker, 'x.jsonl'), maxBytes: 1 << 20, maxFiles: 2 }),
      {
        maxBuffer: 100,
        reconnectMaxMs: 100,
        log: { ...silent, warn: (m: string) => warnings.push(m) },
      },
    );
    for (let i = 0; i < 5; i += 1) pump.push(Buffer.from(`${i}\n`));
    await expect.poll(() => warnings.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/sink down/);
    unlinkSync(blocker);
    expect(await pump.flush(10_000)).toBe(true);
    await pump.close(1_000);
    expect(readFileSync(join(blocker, 'x.jsonl'), 'utf8')).toBe('0\n1\n2\n3\n4\n');
  });
});
