/**
 * What the hub keeps about plugins in the data dir, under `<data_dir>/plugins/`:
 * `enabled.json` (what `vigil plugin enable|disable|install` set), and per plugin
 * `<name>/cursor.json` (the last event delivered) and `<name>/data/` (the plugin's own folder).
 * Every write is atomic (a temporary file renamed over the old one).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { fromSystemError } from '../core/errors.js';

/** The folder of the hub's plugin state inside the data dir. */
export function pluginStateDir(dataDir: string): string {
  return join(dataDir, 'plugins');
}

/** `enabled.json`: watched by a running hub, so `vigil plugin enable` applies at once. */
export const ENABLED_FILE = 'enabled.json';

export interface EnabledEntry {
  enabled: boolean;
  /** When it was last set (a re-enable of a failed plugin changes it, which restarts it). */
  changed_at: string;
  /**
   * The folder that was enabled (third-party plugins): a plugin of the same name found in
   * another folder (say, a cloned repository's `.vigil/plugins`) is not enabled by this entry.
   */
  folder?: string;
}

export type EnabledState = Record<string, EnabledEntry>;

/** Writes `text` to `path` atomically, creating the folder. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    throw fromSystemError(error, path, 'write it');
  }
}

/** The enable state set from the CLI; empty when none was (or the file is damaged). */
export function readEnabledState(dataDir: string): EnabledState {
  try {
    const raw = JSON.parse(
      readFileSync(join(pluginStateDir(dataDir), ENABLED_FILE), 'utf8'),
    ) as unknown;
    const plugins = (raw as { plugins?: unknown }).plugins;
    if (typeof plugins !== 'object' || plugins === null) return {};
    const out: EnabledState = {};
    for (const [name, entry] of Object.entries(plugins)) {
      const e = entry as Partial<EnabledEntry> | null;
      if (typeof e?.enabled === 'boolean') {
        out[name] = {
          enabled: e.enabled,
          changed_at: String(e.changed_at ?? ''),
          ...(typeof e.folder === 'string' ? { folder: e.folder } : {}),
        };
      }
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * Sets (or with `null` forgets) a plugin's enable state; `folder` (a third-party plugin's
 * folder) binds the entry to that folder.
 */
export function setEnabled(
  dataDir: string,
  name: string,
  enabled: boolean | null,
  folder?: string | null,
): void {
  const state = readEnabledState(dataDir);
  if (enabled === null) delete state[name];
  else {
    state[name] = {
      enabled,
      changed_at: new Date().toISOString(),
      ...(folder ? { folder } : {}),
    };
  }
  writeFileAtomic(
    join(pluginStateDir(dataDir), ENABLED_FILE),
    `${JSON.stringify({ version: 1, plugins: state }, null, 2)}\n`,
  );
}

/** Where one plugin's cursor and data live. */
export function pluginFolders(dataDir: string, name: string): { cursor: string; data: string } {
  const base = join(pluginStateDir(dataDir), name);
  return { cursor: join(base, 'cursor.json'), data: join(base, 'data') };
}

/** The commit sequence of the last event delivered to a plugin, or null if it never ran. */
export function readCursor(dataDir: string, name: string): number | null {
  try {
    const raw = JSON.parse(readFileSync(pluginFolders(dataDir, name).cursor, 'utf8')) as {
      seq?: unknown;
    };
    return typeof raw.seq === 'number' && Number.isSafeInteger(raw.seq) && raw.seq >= 0
      ? raw.seq
      : null;
  } catch {
    return null;
  }
}

export function writeCursor(dataDir: string, name: string, seq: number): void {
  writeFileAtomic(
    pluginFolders(dataDir, name).cursor,
    `${JSON.stringify({ seq, updated_at: new Date().toISOString() })}\n`,
  );
}
