import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { glob } from 'tinyglobby';

import { fromSystemError, type VigilError } from '../core/errors.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const GLOB_CHARS = /[*?[\]{}]/;

export interface Discovery {
  /** Every file to read, absolute, in a stable order. */
  files: string[];
  /** Files found by walking a folder or expanding a glob (not named one by one). */
  discovered: Set<string>;
  /** Arguments that matched nothing. */
  missing: string[];
  /** Arguments that could not be looked at (permission denied, ...), with the error. */
  inaccessible: { arg: string; error: VigilError }[];
}

/**
 * Expands files, folders (recursively, skipping .git and node_modules) and globs into the
 * files to ingest.
 *
 * @example
 * await discoverFiles(['.droid/kpis.jsonl', 'workspaces', '~/.wfc/telemetry/*.jsonl'], cwd)
 */
export async function discoverFiles(args: readonly string[], cwd: string): Promise<Discovery> {
  const files = new Set<string>();
  const discovered = new Set<string>();
  const missing: string[] = [];
  const inaccessible: { arg: string; error: VigilError }[] = [];
  for (const arg of args) {
    const path = resolve(cwd, arg);
    if (GLOB_CHARS.test(arg)) {
      const matches = await glob(path, {
        absolute: true,
        onlyFiles: true,
        dot: true,
        ignore: ['**/node_modules/**', '**/.git/**'],
        expandDirectories: false,
      });
      if (matches.length === 0) missing.push(arg);
      for (const m of matches) {
        files.add(m);
        discovered.add(m);
      }
      continue;
    }
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        missing.push(arg);
      else inaccessible.push({ arg, error: fromSystemError(error, path, 'read the file') });
      continue;
    }
    if (stat.isDirectory()) {
      for (const f of walk(path)) {
        files.add(f);
        discovered.add(f);
      }
    } else {
      files.add(path);
    }
  }
  return { files: [...files].sort(), discovered, missing, inaccessible };
}

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* walk(p);
    } else if (e.isFile()) {
      yield p;
    } else if (e.isSymbolicLink()) {
      try {
        if (statSync(p).isFile()) yield p;
      } catch {
        // dangling link: nothing to read
      }
    }
  }
}
