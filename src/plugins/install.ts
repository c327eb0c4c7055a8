/**
 * `vigil plugin install`: copies a plugin into the user's plugin folder from a folder, an npm
 * package tarball (`npm pack` output) or an npm package spec (fetched with `npm pack`), after
 * validating it; then enables it.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';

import type { Config } from '../config/config.js';
import { VigilError } from '../core/errors.js';
import { discoverPlugins } from './discovery.js';
import { readManifest, type PluginManifest } from './manifest.js';
import { setEnabled } from './plugin-files.js';

const run = promisify(execFile);

export type InstallSource = 'folder' | 'tarball' | 'npm';

export interface InstallResult {
  manifest: PluginManifest;
  /** Where it was installed. */
  dir: string;
  source: InstallSource;
  /** An installed plugin of that name was replaced (--force). */
  replaced: boolean;
  /** A plugin of the same name that takes precedence over the one installed, if any. */
  shadowedBy: string | null;
}

/** What `spec` names: an existing folder, a `.tgz` file, or else an npm package spec. */
export function installSource(spec: string, cwd: string): InstallSource {
  const path = resolve(cwd, spec);
  if (existsSync(path)) return statSync(path).isDirectory() ? 'folder' : 'tarball';
  if (/^(\.{1,2}|~)?[\\/]/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec)) {
    throw new VigilError('VIGIL_ERR_FILE_NOT_FOUND', `${path}: no such folder or file`);
  }
  return 'npm';
}

async function tool(cmd: string, args: string[], cwd: string, what: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, maxBuffer: 16 << 20, timeout: 300_000 });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    const detail =
      e.code === 'ENOENT'
        ? `${cmd} is not installed (it must be on the PATH)`
        : (e.stderr ?? e.message).trim().split('\n').slice(-3).join(' ');
    throw new VigilError('VIGIL_ERR_USAGE', `${what} failed: ${detail}`, { cause: error });
  }
}

/** Extracts an npm tarball into `into` and returns the package folder. */
async function extract(tarball: string, into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  await tool(
    'tar',
    ['-xzf', tarball, '-C', into, '--no-same-owner'],
    into,
    `extracting ${tarball}`,
  );
  const pkg = join(into, 'package');
  if (!existsSync(pkg)) {
    throw new VigilError(
      'VIGIL_ERR_USAGE',
      `${tarball}: not an npm package tarball (no package/ folder inside); make one with npm pack`,
    );
  }
  return pkg;
}

/** Installs the plugin's npm dependencies when it declares some and ships none. */
async function installDependencies(dir: string): Promise<void> {
  const file = join(dir, 'package.json');
  if (!existsSync(file) || existsSync(join(dir, 'node_modules'))) return;
  let deps: unknown;
  try {
    deps = (JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: unknown }).dependencies;
  } catch {
    return;
  }
  if (typeof deps !== 'object' || deps === null || Object.keys(deps).length === 0) return;
  await tool(
    'npm',
    ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
    dir,
    `installing the dependencies of ${dir}`,
  );
}

/** The manifest of an unpacked package; errors name the package rather than the temp folder. */
function readStaged(dir: string, spec: string): PluginManifest {
  try {
    return readManifest(dir);
  } catch (error) {
    if (!(error instanceof VigilError)) throw error;
    throw new VigilError(error.code, error.message.split(`${dir}/`).join(`${spec}: package/`), {
      cause: error,
    });
  }
}

/**
 * Installs `spec` into the user plugin folder and enables it. A plugin of the same name
 * already there is replaced only with `force`; built-in names are refused.
 *
 * @example
 * const { manifest, dir } = await installPlugin(config, './my-plugin', { cwd: process.cwd() });
 */
export async function installPlugin(
  config: Config,
  spec: string,
  options: { cwd: string; force?: boolean },
): Promise<InstallResult> {
  const source = installSource(spec, options.cwd);
  const userDir = config.plugins.userDir;
  mkdirSync(userDir, { recursive: true });
  const staging = mkdtempSync(join(userDir, '.staging-'));
  try {
    let from: string;
    if (source === 'folder') {
      // Checked where it is first, so errors name the author's own files.
      readManifest(resolve(options.cwd, spec));
      from = join(staging, 'package');
      cpSync(resolve(options.cwd, spec), from, {
        recursive: true,
        filter: (src) => basename(src) !== '.git',
      });
    } else if (source === 'tarball') {
      from = await extract(resolve(options.cwd, spec), join(staging, 'x'));
    } else {
      const out = await tool(
        'npm',
        ['pack', spec, '--json', '--pack-destination', staging],
        staging,
        `npm pack ${spec}`,
      );
      const file = (JSON.parse(out) as { filename?: string }[])[0]?.filename;
      if (file === undefined)
        throw new VigilError('VIGIL_ERR_USAGE', `npm pack ${spec} made no tarball`);
      from = await extract(join(staging, basename(file)), join(staging, 'x'));
    }
    // Validated where it stands, before anything is replaced.
    const staged = readStaged(from, spec);
    const others = discoverPlugins(config.plugins).plugins.filter((p) => p.name === staged.name);
    const builtin = others.find((p) => p.origin === 'builtin');
    if (builtin !== undefined) {
      throw new VigilError(
        'VIGIL_ERR_USAGE',
        `${staged.name} is the name of a built-in plugin; rename yours in its plugin.toml`,
      );
    }
    const dest = join(userDir, staged.name);
    const replaced = existsSync(dest);
    if (replaced && !options.force) {
      throw new VigilError(
        'VIGIL_ERR_USAGE',
        `a plugin named ${staged.name} is already installed in ${dest}; add --force to replace it`,
      );
    }
    await installDependencies(from);
    if (replaced) renameSync(dest, join(staging, 'replaced'));
    renameSync(from, dest);
    const manifest = readManifest(dest);
    setEnabled(config.dataDir, manifest.name, true, dest);
    const shadow = others.find((p) => p.origin === 'project' && p.dir !== dest);
    return { manifest, dir: dest, source, replaced, shadowedBy: shadow?.dir ?? null };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
