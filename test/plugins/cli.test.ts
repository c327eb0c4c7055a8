/**
 * `vigil plugin list | info | install | enable | disable | remove` as real processes: install
 * from the example's folder and from an `npm pack` tarball of it, name collisions, the state
 * of a running hub, and errors with exit code 2 naming the plugin, file or field.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createWorkspace, type Workspace } from '../cli/helpers.js';
import { startServer } from '../../src/server/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { waitForValue } from '../server/streams-helpers.js';
import { EXAMPLE, manifest, recorder, waitForPlugin } from './helpers.js';

let ws: Workspace | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  ws?.cleanup();
  ws = null;
});

const userDir = (w: Workspace) => join(w.dir, '.config', 'vigil', 'plugins');

describe('vigil plugin', () => {
  it('installs the example from its folder, lists, shows, disables, enables and removes it', async () => {
    ws = createWorkspace('vigil-plugin-cli-');
    const w = ws;
    // Nothing listens on this port: the CLI says the hub is not running.
    const env = { VIGIL_PORT: '1' };
    const empty = await w.run(['plugin', 'list'], { env });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^log-export +0\.1\.0 +no +hub not running +\(built-in\)$/m);

    const installed = await w.run(['plugin', 'install', EXAMPLE], { env });
    expect(installed.code, installed.stderr).toBe(0);
    const dest = join(userDir(w), 'event-counter');
    expect(installed.stdout).toBe(`installed event-counter 0.1.0 in ${dest}; enabled\n`);
    expect(readdirSync(dest).sort()).toEqual([
      'README.md',
      'index.js',
      'package.json',
      'plugin.toml',
    ]);

    const list = await w.run(['plugin', 'list'], { env });
    expect(list.stdout).toMatch(
      new RegExp(`^event-counter +0\\.1\\.0 +yes +hub not running +${dest}$`, 'm'),
    );
    expect(list.stderr).toContain('no hub answers at 127.0.0.1:1');
    const json = JSON.parse((await w.run(['plugin', 'list', '--json'], { env })).stdout) as {
      hub: string;
      plugins: { name: string; enabled: boolean; origin: string }[];
    };
    expect(json.hub).toBe('not running');
    expect(json.plugins.find((p) => p.name === 'event-counter')).toMatchObject({
      enabled: true,
      origin: 'user',
    });

    const info = await w.run(['plugin', 'info', 'event-counter'], { env });
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(`entry point  ${join(dest, 'index.js')} (default export)`);
    expect(info.stdout).toContain('subscribes   *');
    expect(info.stdout).toContain('http         mounted on the hub at /plugins/event-counter/');
    expect(info.stdout).toContain('config       {"save_every_seconds":10}');

    // The config file's settings merge over [plugin.config]; its `enabled` wins over the CLI.
    w.write('vigil.toml', '[plugins.event-counter]\nsave_every_seconds = 2\nenabled = false\n');
    const merged = await w.run(['plugin', 'info', 'event-counter'], { env });
    expect(merged.stdout).toContain('config       {"save_every_seconds":2}');
    expect(merged.stdout).toMatch(
      /enabled +no \(\[plugins\.event-counter\] enabled = false in .*vigil\.toml\)/,
    );
    const overridden = await w.run(['plugin', 'enable', 'event-counter'], { env });
    expect(overridden.stderr).toContain('sets [plugins.event-counter] enabled = false, which wins');
    rmSync(join(w.dir, 'vigil.toml'));

    expect((await w.run(['plugin', 'disable', 'event-counter'], { env })).stdout).toBe(
      'disabled event-counter\n',
    );
    expect((await w.run(['plugin', 'list'], { env })).stdout).toMatch(
      /^event-counter +0\.1\.0 +no /m,
    );
    expect((await w.run(['plugin', 'enable', 'event-counter'], { env })).stdout).toBe(
      'enabled event-counter\n',
    );

    // A second install of the same name is refused without --force.
    const again = await w.run(['plugin', 'install', EXAMPLE], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `a plugin named event-counter is already installed in ${dest}; add --force to replace it`,
    );
    const forced = await w.run(['plugin', 'install', EXAMPLE, '--force'], { env });
    expect(forced.stdout).toContain('(replaced)');

    const removed = await w.run(['plugin', 'remove', 'event-counter'], { env });
    expect(removed.code).toBe(0);
    expect(existsSync(dest)).toBe(false);
    const gone = await w.run(['plugin', 'info', 'event-counter'], { env });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(
      'no plugin named event-counter; `vigil plugin list` shows the installed ones',
    );
  });

  it('installs from an npm pack tarball; refuses bad sources and removing other folders', async () => {
    ws = createWorkspace('vigil-plugin-cli-');
    const w = ws;
    const env = { VIGIL_PORT: '1' };
    const packs = mkdtempSync(join(tmpdir(), 'vigil-pack-'));
    cleanups.push(() => rmSync(packs, { recursive: true, force: true }));
    execFileSync('npm', ['pack', EXAMPLE, '--pack-destination', packs, '--silent'], {
      stdio: 'ignore',
    });
    const tarball = join(packs, 'vigil-plugin-event-counter-0.1.0.tgz');
    expect(existsSync(tarball)).toBe(true);
    const r = await w.run(['plugin', 'install', tarball], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('installed event-counter 0.1.0');
    expect(readFileSync(join(userDir(w), 'event-counter', 'plugin.toml'), 'utf8')).toContain(
      'name = "event-counter"',
    );

    const missing = await w.run(['plugin', 'install', './nowhere'], { env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`${join(w.dir, 'nowhere')}: no such folder or file`);
    w.write('bad/plugin.toml', '[plugin]\nname = "bad"\nversion = "x"\nentry_point = "i.js"\n');
    const bad = await w.run(['plugin', 'install', 'bad'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /bad\/plugin\.toml: plugin\.version: expected a semver version such as 0\.1\.0/,
    );
    expect(existsSync(join(userDir(w), 'bad'))).toBe(false);
    w.write('notbuilt/plugin.toml', manifest('log-export'));
    w.write('notbuilt/index.js', recorder());
    const clash = await w.run(['plugin', 'install', 'notbuilt'], { env });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('log-export is the name of a built-in plugin');

    w.write('.vigil/plugins/local/plugin.toml', manifest('local'));
    w.write('.vigil/plugins/local/index.js', recorder());
    const keep = await w.run(['plugin', 'remove', 'local'], { env });
    expect(keep.code).toBe(2);
    expect(keep.stderr).toContain(
      `local is in ${join(w.dir, '.vigil', 'plugins', 'local')}, not in the user plugin folder`,
    );
    const unknown = await w.run(['plugin', 'enable', 'nope'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no plugin named nope');
    const help = await w.run(['plugin', '--help']);
    expect(help.stdout).toContain('vigil plugin install ./my-plugin');
  });

  it("shows a running hub's state, and a running hub follows enable and disable", async () => {
    ws = createWorkspace('vigil-plugin-cli-');
    const w = ws;
    w.write('.vigil/plugins/rec/plugin.toml', manifest('rec'));
    w.write('.vigil/plugins/rec/index.js', recorder());
    const config = await loadConfig({
      env: { HOME: w.dir, VIGIL_DATA_DIR: w.data, VIGIL_PORT: '0' },
      cwd: w.dir,
    });
    const server = await startServer(config, {
      watchOnly: true,
      cwd: w.dir,
      plugins: { writeLog: () => {}, builtins: [] },
    });
    cleanups.push(() => server.close());
    const env = { VIGIL_PORT: new URL(server.url).port };
    expect((await w.run(['plugin', 'list'], { env })).stdout).toMatch(
      /^rec +0\.1\.0 +no +disabled /m,
    );
    await w.run(['plugin', 'enable', 'rec'], { env });
    const running = await waitForPlugin(server, 'rec', (s) => s.state === 'running', 'running');
    const list = await w.run(['plugin', 'list'], { env });
    expect(list.stdout).toMatch(/^rec +0\.1\.0 +yes +running /m);
    const info = await w.run(['plugin', 'info', 'rec'], { env });
    expect(info.stdout).toContain(`state        running (pid ${running.pid})`);
    await w.run(['plugin', 'disable', 'rec'], { env });
    await waitForPlugin(server, 'rec', (s) => s.state === 'disabled', 'disabled');

    // Installed while the hub runs: started at once; installed again: its new code runs.
    const version = (v: string) => `export default { onRequest: () => ({ body: '${v}' }) };\n`;
    w.write('web/plugin.toml', manifest('web', '[plugin.http]\nenabled = true\n'));
    w.write('web/index.js', version('one'));
    expect((await w.run(['plugin', 'install', './web'], { env })).code).toBe(0);
    await waitForPlugin(server, 'web', (s) => s.state === 'running', 'running');
    expect(await (await fetch(`${server.url}/plugins/web/`)).text()).toBe('one');
    w.write('web/index.js', version('two'));
    expect((await w.run(['plugin', 'install', './web', '--force'], { env })).code).toBe(0);
    await waitForValue(
      async () => (await (await fetch(`${server.url}/plugins/web/`)).text()) === 'two',
      'the new code',
    );
    expect((await w.run(['plugin', 'remove', 'web'], { env })).code).toBe(0);
    await waitForValue(
      async () => (await fetch(`${server.url}/plugins/web/`)).status === 404,
      'the plugin gone',
    );
  });
});
