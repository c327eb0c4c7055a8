import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { loadConfig, type Config } from '../config/config.js';
import { pluginSettings } from './discovery.js';
import { readEnabledState, setEnabled } from './plugin-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function configWith(settings: Config['plugins']['settings']): Promise<Config> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-settings-'));
  dirs.push(dir);
  const config = await loadConfig({
    env: { VIGIL_DATA_DIR: join(dir, 'data'), HOME: dir },
    cwd: dir,
  });
  config.plugins.settings = settings;
  return config;
}

const thirdParty = (dir: string) => ({ name: 'x', manifest: null, dir });

describe('pluginSettings: who may turn a plugin on', () => {
  it('a config file alone never starts a third-party plugin (a cloned repository cannot enable its own code)', async () => {
    const config = await configWith({ x: { enabled: true } });
    expect(pluginSettings(thirdParty('/repo/.vigil/plugins/x'), config).enabled).toBe(false);
  });

  it('an enable binds to the folder: a plugin of the same name elsewhere stays off', async () => {
    const config = await configWith({});
    setEnabled(config.dataDir, 'x', true, '/home/me/.config/vigil/plugins/x');
    const state = readEnabledState(config.dataDir);
    expect(
      pluginSettings(thirdParty('/home/me/.config/vigil/plugins/x'), config, state),
    ).toMatchObject({
      enabled: true,
      enabledBy: 'cli',
    });
    expect(pluginSettings(thirdParty('/repo/.vigil/plugins/x'), config, state).enabled).toBe(false);
  });

  it('the config file can still turn an enabled third-party plugin off', async () => {
    const config = await configWith({ x: { enabled: false } });
    setEnabled(config.dataDir, 'x', true, '/p/x');
    expect(pluginSettings(thirdParty('/p/x'), config)).toMatchObject({
      enabled: false,
      enabledBy: 'config',
    });
  });

  it('built-ins follow the config file first, then the CLI', async () => {
    const builtin = { name: 'x', manifest: null, dir: null };
    expect(pluginSettings(builtin, await configWith({ x: { enabled: true } })).enabled).toBe(true);
    const config = await configWith({});
    setEnabled(config.dataDir, 'x', true);
    expect(pluginSettings(builtin, config).enabled).toBe(true);
  });
});
