/**
 * RELIABILITY P4 and S7 in a running hub: bad manifests (malformed TOML, a missing field, a
 * missing entry point, a version mismatch) and entry points outside their folder (`../x.js`,
 * absolute, a symbolic link) are each reported naming the file and field, their code never
 * runs, and the other plugins load and run.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { runVigil } from '../cli/helpers.js';
import { waitUntil } from '../server/streams-helpers.js';
import {
  commit,
  createLab,
  manifest,
  pluginsOf,
  recorder,
  waitForPlugin,
  type PluginLab,
} from './helpers.js';

let lab: PluginLab | null = null;
afterEach(async () => {
  await lab?.cleanup();
  lab = null;
});

describe('P4 and S7: plugins that cannot load', () => {
  it('are reported with file and field; their code never runs; the rest load', async () => {
    lab = createLab();
    const l = lab;
    // Code outside any plugin folder that leaves a mark if it is ever run.
    const marker = join(l.dir, 'outside-ran');
    const outside = l.write(
      'outside.js',
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran'); export default { onEvent() {} };\n`,
    );
    const index = recorder();
    const cases: Record<string, { files: Record<string, string>; error: RegExp }> = {
      'bad-toml': {
        files: { 'plugin.toml': '[plugin\nname = "bad-toml"\n', 'index.js': index },
        error: /bad-toml\/plugin\.toml: invalid TOML \(line 1\)/,
      },
      'no-version': {
        files: {
          'plugin.toml': manifest('no-version').replace('version = "0.1.0"\n', ''),
          'index.js': index,
        },
        error: /no-version\/plugin\.toml: plugin\.version: missing \(required\)/,
      },
      'no-entry': {
        files: { 'plugin.toml': manifest('no-entry', '', 'main.js') },
        error: /no-entry\/plugin\.toml: plugin\.entry_point: no such file "main\.js"/,
      },
      'too-new': {
        files: {
          'plugin.toml': manifest('too-new').replace('vigil>=0.1', 'vigil>=9.0'),
          'index.js': index,
        },
        error:
          /too-new\/plugin\.toml: plugin\.requires\[0\]: this plugin needs vigil >=9\.0, and this is vigil 0\.1\.0/,
      },
      dotdot: {
        files: { 'plugin.toml': manifest('dotdot', '', '../../../outside.js') },
        error:
          /dotdot\/plugin\.toml: plugin\.entry_point: "\.\.\/\.\.\/\.\.\/outside\.js" leaves the plugin folder/,
      },
      absolute: {
        files: { 'plugin.toml': manifest('absolute', '', outside) },
        error: /absolute\/plugin\.toml: plugin\.entry_point: ".*outside\.js" is an absolute path/,
      },
      linked: {
        files: { 'plugin.toml': manifest('linked', '', 'index.js') },
        error:
          /linked\/plugin\.toml: plugin\.entry_point: "index\.js" resolves to .*outside\.js, outside the plugin folder/,
      },
    };
    for (const [name, c] of Object.entries(cases)) {
      l.plugin(name, c.files);
      l.enable(name);
    }
    symlinkSync(outside, join(l.dir, '.vigil', 'plugins', 'linked', 'index.js'));
    // Loads, then fails at activate: the export it names does not exist.
    l.plugin('no-export', {
      'plugin.toml': manifest('no-export', '', 'index.js:Nope'),
      'index.js': index,
    });
    l.enable('no-export');
    l.plugin('good', { 'plugin.toml': manifest('good'), 'index.js': index });
    l.enable('good');
    // Seed 000's module:Class form: a named export that is a class.
    l.plugin('classy', {
      'plugin.toml': manifest('classy', '', 'lib.js:Recorder'),
      'lib.js': `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
export class Recorder {
  onEvent(event, ctx) { appendFileSync(join(ctx.dataDir, 'seen.txt'), event.seq + '\\n'); }
}
`,
    });
    l.enable('classy');

    const server = await l.start();
    await server.pluginsStarted;
    await waitForPlugin(server, 'good', (s) => s.state === 'running', 'running');
    await commit(server, 3);
    await waitUntil(() => l.seen('good').length === 3, 'the good plugin to run');
    await waitUntil(() => l.seen('classy').length === 3, 'the class-form plugin to run');
    const body = await pluginsOf(server);
    for (const [name, c] of Object.entries(cases)) {
      const s = body.plugins.find((p) => p.name === name);
      expect(s?.state, name).toBe('failed');
      expect(s?.last_error, name).toMatch(c.error);
      expect(s?.last_error, name).toContain(join(l.dir, '.vigil', 'plugins', name, 'plugin.toml'));
      expect(s?.restarts, name).toBe(0);
    }
    const noExport = await waitForPlugin(server, 'no-export', (s) => s.errors >= 1, 'its failure');
    expect(noExport.last_error).toMatch(/^activate failed: .*index\.js has no export named Nope/);
    expect(existsSync(marker)).toBe(false);

    // The CLI says the same: list shows each error, info exits 2 with it.
    const env = { VIGIL_DATA_DIR: l.dataDir, VIGIL_PORT: new URL(server.url).port };
    const list = await runVigil(['plugin', 'list'], { cwd: l.dir, env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^too-new +\? +yes +failed/m);
    expect(list.stdout).toMatch(/^good +0\.1\.0 +yes +running/m);
    expect(list.stdout).toMatch(/ {2}dotdot: .*leaves the plugin folder/);
    const info = await runVigil(['plugin', 'info', 'no-version'], { cwd: l.dir, env });
    expect(info.code).toBe(2);
    expect(info.stderr).toMatch(
      /vigil: error: .*no-version\/plugin\.toml: plugin\.version: missing \(required\)/,
    );
  });
});
