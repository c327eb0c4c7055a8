import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { compileSubscription, readManifest, subscribed, unmetRequirement } from './manifest.js';

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'vigil-manifest-')));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const BASE = {
  name: '"counter"',
  version: '"0.1.0"',
  description: '"counts"',
  entry_point: '"index.js"',
  requires: '["vigil>=0.1"]',
};

/** A plugin folder with a plugin.toml of `fields` (null removes one) plus `more`, and index.js. */
function folder(fields: Partial<Record<keyof typeof BASE, string | null>> = {}, more = ''): string {
  const dir = join(root, 'counter');
  mkdirSync(dir, { recursive: true });
  const lines = Object.entries({ ...BASE, ...fields })
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} = ${v}`);
  writeFileSync(join(dir, 'plugin.toml'), `[plugin]\n${lines.join('\n')}\n${more}`);
  writeFileSync(join(dir, 'index.js'), 'export default { onEvent() {} };\n');
  return dir;
}

const errorOf = (dir: string): string => {
  try {
    readManifest(dir);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('plugin.toml', () => {
  it('reads a complete manifest', () => {
    const dir = folder(
      {},
      '[plugin.events]\nsubscribes = ["review_complete", "task"]\n[plugin.http]\nenabled = true\nport_range = [9400, 9410]\n[plugin.config]\nlabel = "x"\n',
    );
    const m = readManifest(dir);
    expect(m).toMatchObject({
      name: 'counter',
      version: '0.1.0',
      description: 'counts',
      entry: { file: join(dir, 'index.js'), exportName: 'default' },
      subscribes: ['review_complete', 'task'],
      http: { mode: 'port', portRange: [9400, 9410] },
      config: { label: 'x' },
    });
    expect(readManifest(folder({}, '[plugin.http]\nenabled = true\n')).http).toEqual({
      mode: 'mounted',
      mountPath: '/plugins/counter',
    });
    expect(readManifest(folder({ entry_point: '"index.js:Counter"' })).entry?.exportName).toBe(
      'Counter',
    );
  });

  // RELIABILITY P4: every error names the file and the field.
  it.each([
    [
      'malformed TOML',
      () => folder({ version: '"0.1.0' }),
      /plugin\.toml: invalid TOML \(line 3\)/,
    ],
    [
      'a missing field',
      () => folder({ version: null }),
      /plugin\.toml: plugin\.version: missing \(required\)$/,
    ],
    [
      'a bad version',
      () => folder({ version: '"one"' }),
      /plugin\.toml: plugin\.version: expected a semver version such as 0\.1\.0$/,
    ],
    [
      'a bad name',
      () => folder({ name: '"My Plugin"' }),
      /plugin\.toml: plugin\.name: expected lower-case letters, digits and dashes/,
    ],
    [
      'an unknown key',
      () => folder({}, 'colour = "red"\n'),
      /plugin\.toml: plugin: unknown key\(s\) colour$/,
    ],
    [
      'a missing entry point',
      () => folder({ entry_point: '"main.js"' }),
      /plugin\.toml: plugin\.entry_point: no such file "main\.js" in /,
    ],
    [
      'a TypeScript entry point',
      () => folder({ entry_point: '"index.ts"' }),
      /plugin\.entry_point: "index\.ts" is not a JavaScript module .*compile TypeScript/,
    ],
    [
      'a version mismatch',
      () => folder({ requires: '["vigil>=99"]' }),
      /plugin\.toml: plugin\.requires\[0\]: this plugin needs vigil >=99, and this is vigil 0\.1\.0; upgrade Vigil/,
    ],
    [
      'a requirement on something else',
      () => folder({ requires: '["wfc>=2.0"]' }),
      /plugin\.requires\[0\]: expected vigil<range> such as "vigil>=0\.1"/,
    ],
    [
      'a bad port range',
      () => folder({}, '[plugin.http]\nenabled = true\nport_range = [9410, 9400]\n'),
      /plugin\.http\.port_range: expected \[first, last\] with first <= last/,
    ],
    [
      'a bad subscription',
      () => folder({}, '[plugin.events]\nsubscribes = ["a b"]\n'),
      /plugin\.events\.subscribes\[0\]: expected an event type or kind/,
    ],
    [
      '"builtin" as entry point',
      () => folder({ entry_point: '"builtin"' }),
      /plugin\.entry_point: "builtin" is reserved/,
    ],
  ])('names the file and field for %s', (_what, make, pattern) => {
    const dir = make();
    const message = errorOf(dir);
    expect(message.startsWith(join(dir, 'plugin.toml'))).toBe(true);
    expect(message).toMatch(pattern);
  });

  it('reports a folder without plugin.toml', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    expect(errorOf(dir)).toBe(
      `${join(dir, 'plugin.toml')}: missing: a plugin folder needs a plugin.toml`,
    );
  });

  // RELIABILITY S7: the entry point never leaves the plugin folder.
  describe('S7: entry points outside the plugin folder', () => {
    it('refuses ../x.js', () => {
      writeFileSync(join(root, 'x.js'), 'export default {};\n');
      expect(errorOf(folder({ entry_point: '"../x.js"' }))).toMatch(
        /plugin\.entry_point: "\.\.\/x\.js" leaves the plugin folder; name a file inside it$/,
      );
      expect(errorOf(folder({ entry_point: '"lib/../../x.js"' }))).toMatch(
        /leaves the plugin folder/,
      );
    });

    it('refuses an absolute path', () => {
      writeFileSync(join(root, 'x.js'), 'export default {};\n');
      expect(errorOf(folder({ entry_point: JSON.stringify(join(root, 'x.js')) }))).toMatch(
        /plugin\.entry_point: ".*x\.js" is an absolute path; name a file inside the plugin folder$/,
      );
    });

    it('refuses a symbolic link that escapes, file or folder', () => {
      writeFileSync(join(root, 'outside.js'), 'export default {};\n');
      const dir = folder({ entry_point: '"link.js"' });
      symlinkSync(join(root, 'outside.js'), join(dir, 'link.js'));
      expect(errorOf(dir)).toMatch(
        new RegExp(
          `plugin\\.entry_point: "link\\.js" resolves to ${join(root, 'outside.js')}, outside the plugin folder \\(a symbolic link\\?\\)`,
        ),
      );
      mkdirSync(join(root, 'elsewhere'));
      writeFileSync(join(root, 'elsewhere', 'main.js'), 'export default {};\n');
      symlinkSync(join(root, 'elsewhere'), join(dir, 'lib'));
      writeFileSync(
        join(dir, 'plugin.toml'),
        `[plugin]\nname = "counter"\nversion = "0.1.0"\nentry_point = "lib/main.js"\n`,
      );
      expect(errorOf(dir)).toMatch(/"lib\/main\.js" resolves to .*outside the plugin folder/);
    });

    it('accepts a link that stays inside, and a plugin folder that is itself a link', () => {
      const dir = folder({ entry_point: '"link.js"' });
      symlinkSync(join(dir, 'index.js'), join(dir, 'link.js'));
      expect(readManifest(dir).entry?.file).toBe(join(dir, 'index.js'));
      symlinkSync(dir, join(root, 'linked'));
      expect(readManifest(join(root, 'linked')).name).toBe('counter');
    });
  });
});

describe('requires and subscriptions', () => {
  it('checks vigil and node ranges', () => {
    const v = { vigil: '0.1.0', node: '20.19.0' };
    expect(unmetRequirement(['vigil>=0.1', 'node>=20'], v)).toBeNull();
    expect(unmetRequirement(['vigil ^0.1.0'], v)).toBeNull();
    expect(unmetRequirement(['vigil>=0.2'], v)?.[0]).toBe(0);
    expect(unmetRequirement(['vigil', 'node>=22'], v)?.[1]).toMatch(
      /needs node >=22, and this is node 20\.19\.0/,
    );
    expect(unmetRequirement(['vigil>=banana'], v)?.[1]).toMatch(/is not a version range/);
  });

  it('matches types, kinds and *', () => {
    const s = compileSubscription(['review_complete', 'task']);
    expect(subscribed(s, 'review_complete', 'review')).toBe(true);
    expect(subscribed(s, 'task_end', 'task')).toBe(true);
    expect(subscribed(s, 'llm_call', 'llm_call')).toBe(false);
    expect(subscribed(compileSubscription(['*']), 'x', 'log')).toBe(true);
    expect(compileSubscription([]).none).toBe(true);
  });
});
