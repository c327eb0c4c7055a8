/**
 * docs/plugins.md, followed as a new author would: the files it shows are written as shown,
 * the commands it shows are run as real processes, and what they print is what it says. The
 * TypeScript form it shows compiles against the types Vigil exports as `vigil/plugin`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, createWorkspace, REPO, type Workspace } from '../cli/helpers.js';
import { waitForValue } from '../server/streams-helpers.js';

const doc = readFileSync(join(REPO, 'docs', 'plugins.md'), 'utf8');
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1] as string,
  text: m[2] as string,
}));

let ws: Workspace | null = null;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  ws?.cleanup();
  ws = null;
});

/** The doc's code block whose first line names `path` (`# path` or `// path`). */
function file(path: string): string {
  const block = blocks.find((b) =>
    new RegExp(`^(#|//) ${path.replace('.', '\\.')}\\n`).test(b.text),
  );
  if (block === undefined) throw new Error(`docs/plugins.md shows no ${path}`);
  return block.text;
}

/** The console block line after `$ command`, and the command is in the doc. */
function printed(command: string): string {
  const at = doc.indexOf(`$ ${command}\n`);
  expect(at, `docs/plugins.md runs ${command}`).toBeGreaterThan(-1);
  return doc.slice(at + command.length + 3).split('\n')[0] as string;
}

describe('docs/plugins.md: your first plugin', () => {
  it('writes, installs and sees the plugin working, as the page says', async () => {
    ws = createWorkspace('vigil-plugin-docs-');
    const w = ws;
    const env = { VIGIL_PORT: '1' };
    w.write('hello-plugin/plugin.toml', file('hello-plugin/plugin.toml'));
    w.write('hello-plugin/index.js', file('hello-plugin/index.js'));
    const home = (text: string) => text.replaceAll('/home/you', w.dir);

    const install = await w.run(['plugin', 'install', './hello-plugin'], { env });
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toBe(`${home(printed('vigil plugin install ./hello-plugin'))}\n`);

    expect(doc).toContain('$ vigil serve --watch events.jsonl\n');
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--watch', 'events.jsonl', '--port', '0'],
      {
        cwd: w.dir,
        env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', HOME: w.dir, VIGIL_DATA_DIR: w.data },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const url = await waitForValue(
      async () => /listening on (http:\/\/\S+)/.exec(out)?.[1],
      'the hub',
    );
    const hello = /^(vigil: plugin hello-plugin: info: .*)$/m.exec(doc)?.[1];
    expect(hello).toBe('vigil: plugin hello-plugin: info: hello from hello-plugin 0.1.0');
    await waitForValue(async () => err.includes(hello as string), 'the greeting on stderr');

    const echo = /^(echo '.*' >> events\.jsonl)$/m.exec(doc)?.[1];
    expect(echo).toBeDefined();
    await promisify(execFile)('sh', ['-c', echo as string], { cwd: w.dir });

    const path = '/plugins/hello-plugin/last';
    const expected = printed(`curl -s localhost:3030${path}`);
    const body = await waitForValue(async () => {
      const text = await (await fetch(`${url}${path}`)).text();
      return text.includes('"count":1') ? text : undefined;
    }, 'the event to reach the plugin');
    expect(body).toBe(expected);

    const row = /^(hello-plugin +0\.1\.0 .*)$/m.exec(doc)?.[1] as string;
    const list = await w.run(['plugin', 'list'], { env: { VIGIL_PORT: new URL(url).port } });
    expect(list.stdout.split('\n')).toContain(home(row));
    child.kill('SIGTERM');
  });

  it('the TypeScript form compiles against vigil/plugin', async () => {
    ws = createWorkspace('vigil-plugin-ts-');
    const w = ws;
    const source = blocks.find((b) => b.lang === 'ts' && b.text.startsWith('// src/index.ts'));
    expect(source).toBeDefined();
    const dir = join(w.dir, 'ts-plugin');
    w.write('ts-plugin/src/index.ts', source!.text);
    w.write(
      'ts-plugin/package.json',
      JSON.stringify({ name: 'ts-plugin', type: 'module', private: true }),
    );
    w.write(
      'ts-plugin/tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          outDir: 'dist',
          rootDir: 'src',
          types: [],
        },
        include: ['src'],
      }),
    );
    // As `npm install --save-dev /path/to/vigil` leaves it: a link to the package.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'vigil'));
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await promisify(execFile)(process.execPath, [tsc, '-p', dir]).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout }),
    );
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'dist', 'index.js'), 'utf8')).toContain("from 'vigil/plugin'");
    writeFileSync(
      join(dir, 'plugin.toml'),
      '[plugin]\nname = "ts-plugin"\nversion = "0.1.0"\nentry_point = "dist/index.js"\n',
    );
    const installed = await w.run(['plugin', 'install', './ts-plugin'], {
      env: { VIGIL_PORT: '1' },
    });
    expect(installed.code, installed.stderr).toBe(0);
  });
});
