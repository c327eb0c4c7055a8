import type { Command } from 'commander';

import { VigilError } from '../../core/errors.js';
import type { DiscoveredPlugin } from '../../plugins/discovery.js';
import type { CliContext } from '../context.js';
import { renderTable, safeText } from '../output/table.js';

async function plugins(ctx: CliContext) {
  const [discovery, files, view] = await Promise.all([
    import('../../plugins/discovery.js'),
    import('../../plugins/plugin-files.js'),
    import('./plugin-view.js'),
  ]);
  const found = discovery.discoverPlugins(ctx.config.plugins);
  const state = files.readEnabledState(ctx.config.dataDir);
  return { discovery, files, view, found, state };
}

function find(list: readonly DiscoveredPlugin[], name: string): DiscoveredPlugin {
  const plugin = list.find((p) => p.name === name);
  if (plugin === undefined) {
    throw new VigilError(
      'VIGIL_ERR_USAGE',
      `no plugin named ${name}; \`vigil plugin list\` shows the installed ones`,
    );
  }
  return plugin;
}

const HELP = `
Plugins are folders with a plugin.toml and a JavaScript module, found in (first name wins)
  <project>/.vigil/plugins/   (the workspace root, or the current folder)
  ~/.config/vigil/plugins/    (where \`vigil plugin install\` puts them)
  plugin_dirs = [...]         (in the config file)
plus the built-in plugins. A plugin runs only once enabled (install enables it). A running
\`vigil serve\` applies enable, disable, install and remove at once. See docs/plugins.md.

Examples:
  vigil plugin list
  vigil plugin install ./my-plugin                 a folder
  vigil plugin install my-plugin-1.0.0.tgz         an npm package tarball (npm pack)
  vigil plugin install vigil-plugin-foo@1.2.0      an npm package
  vigil plugin info my-plugin
  vigil plugin disable my-plugin
  vigil plugin remove my-plugin`;

export function registerPlugin(program: Command, ctx: CliContext): void {
  const plugin = program
    .command('plugin')
    .description('List, inspect, install, enable, disable and remove plugins')
    .addHelpText('after', HELP);

  plugin
    .command('list')
    .description('Installed plugins: version, enabled, folder, and their state in a running hub')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { discovery, view, found, state } = await plugins(ctx);
      const hub = await view.fetchHubPlugins(ctx.config);
      const rows = found.plugins.map((p) => {
        const settings = discovery.pluginSettings(p, ctx.config, state);
        const live = hub?.plugins.find((s) => s.name === p.name) ?? null;
        return {
          name: p.name,
          version: p.manifest?.version ?? null,
          enabled: settings.enabled,
          origin: p.origin,
          folder: p.dir,
          state: hub === null ? null : (live?.state ?? null),
          last_error: live?.last_error ?? p.error,
        };
      });
      if (opts.json) {
        const doc = {
          hub: hub === null ? 'not running' : 'running',
          plugins: rows,
          problems: found.problems,
        };
        ctx.out(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) ctx.out('no plugins installed (see `vigil plugin --help`)\n');
      else {
        ctx.out(
          renderTable(
            ['name', 'version', 'enabled', 'state', 'folder'],
            rows.map((r) => [
              r.name,
              r.version ?? '?',
              r.enabled ? 'yes' : 'no',
              r.state ?? (hub === null ? 'hub not running' : 'unknown'),
              r.folder ?? '(built-in)',
            ]),
          ),
        );
        for (const r of rows) {
          if (r.last_error !== null) ctx.out(`  ${r.name}: ${safeText(r.last_error, 400)}\n`);
        }
      }
      if (hub === null) {
        ctx.note(
          `vigil: no hub answers at ${ctx.config.server.host}:${ctx.config.server.port}; states are those of a running \`vigil serve\``,
        );
      }
      for (const problem of found.problems) ctx.warn(problem);
    });

  plugin
    .command('info')
    .description("A plugin's manifest, config (merged), subscriptions, HTTP and state")
    .argument('<name>', 'the plugin')
    .option('--json', 'as JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const { discovery, files, view, found, state } = await plugins(ctx);
      const p = find(found.plugins, name);
      const settings = discovery.pluginSettings(p, ctx.config, state);
      const hub = await view.fetchHubPlugins(ctx.config);
      const live = hub === null ? undefined : (hub.plugins.find((s) => s.name === name) ?? null);
      const cursor = files.readCursor(ctx.config.dataDir, name);
      const dataDir = files.pluginFolders(ctx.config.dataDir, name).data;
      if (opts.json) {
        const doc = {
          ...p,
          definition: undefined,
          settings,
          cursor,
          data_dir: dataDir,
          live: live ?? null,
        };
        ctx.out(`${JSON.stringify(doc, null, 2)}\n`);
      } else {
        ctx.out(`${view.infoLines(p, settings, ctx.config, cursor, live, dataDir).join('\n')}\n`);
      }
      if (p.error !== null) throw new VigilError('VIGIL_ERR_CONFIG', p.error);
    });

  plugin
    .command('install')
    .description('Install a plugin into ~/.config/vigil/plugins and enable it')
    .argument('<source>', 'a plugin folder, an npm package tarball (.tgz) or an npm package spec')
    .option('--force', 'replace an installed plugin of the same name')
    .action(async (source: string, opts: { force?: boolean }) => {
      const { installPlugin } = await import('../../plugins/install.js');
      const r = await installPlugin(ctx.config, source, {
        cwd: ctx.io.cwd,
        force: opts.force ?? false,
      });
      ctx.out(
        `installed ${r.manifest.name} ${r.manifest.version} in ${r.dir}${r.replaced ? ' (replaced)' : ''}; enabled\n`,
      );
      if (r.shadowedBy !== null) {
        ctx.warn(`the plugin of the same name in ${r.shadowedBy} takes precedence over this one`);
      }
      ctx.note('vigil: a running `vigil serve` starts it now; otherwise the next one will');
    });

  for (const [command, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    plugin
      .command(command)
      .description(`${enabled ? 'Enable' : 'Disable'} a plugin (a running hub applies it at once)`)
      .argument('<name>', 'the plugin')
      .action(async (name: string) => {
        const { discovery, files, found } = await plugins(ctx);
        const p = find(found.plugins, name);
        files.setEnabled(ctx.config.dataDir, name, enabled, p.dir);
        const settings = discovery.pluginSettings(
          p,
          ctx.config,
          files.readEnabledState(ctx.config.dataDir),
        );
        ctx.out(`${command}d ${name}\n`);
        if (settings.enabledBy === 'config' && settings.enabled !== enabled) {
          ctx.warn(
            `${ctx.config.file} sets [plugins.${name}] enabled = ${settings.enabled}, which wins; change it there`,
          );
        }
        if (enabled && p.error !== null) ctx.warn(`it cannot load: ${p.error}`);
      });
  }

  plugin
    .command('remove')
    .description('Remove a plugin installed in the user plugin folder')
    .argument('<name>', 'the plugin')
    .option('--purge', 'also delete its data (cursor and data folder under the data dir)')
    .action(async (name: string, opts: { purge?: boolean }) => {
      const { files, found } = await plugins(ctx);
      const { rmSync } = await import('node:fs');
      const { dirname } = await import('node:path');
      const p = find(found.plugins, name);
      if (p.origin !== 'user' || p.dir === null) {
        throw new VigilError(
          'VIGIL_ERR_USAGE',
          `${name} is ${p.origin === 'builtin' ? 'built in; disable it instead' : `in ${p.dir}, not in the user plugin folder ${ctx.config.plugins.userDir}; delete it there, or disable it`}`,
        );
      }
      rmSync(p.dir, { recursive: true, force: true });
      files.setEnabled(ctx.config.dataDir, name, null);
      if (opts.purge)
        rmSync(dirname(files.pluginFolders(ctx.config.dataDir, name).data), {
          recursive: true,
          force: true,
        });
      ctx.out(`removed ${name} (${p.dir})${opts.purge ? ' and its data' : ''}\n`);
    });

  for (const cmd of plugin.commands) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  }
}
