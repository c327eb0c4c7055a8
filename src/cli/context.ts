import { existsSync } from 'node:fs';

import { loadConfig, type Config } from '../config/config.js';
import { VigilError, type ExitCode } from '../core/errors.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/types.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** What every command gets: the resolved config, the store, output streams and the clock. */
export class CliContext {
  exitCode: ExitCode = 0;
  private cfg: Config | null = null;
  private store: Store | null = null;
  readonly now = Date.now();
  globals: { dataDir?: string; config?: string; quiet?: boolean } = {};

  constructor(readonly io: Io) {}

  /** Loads the configuration; runs before every command's action (the preAction hook). */
  async init(extra: { workspaceRoot?: string } = {}): Promise<void> {
    this.cfg = await loadConfig({
      configPath: this.globals.config,
      dataDir: this.globals.dataDir,
      env: this.io.env,
      cwd: this.io.cwd,
      ...extra,
    });
  }

  get config(): Config {
    if (this.cfg === null) throw new Error('configuration used before CliContext.init()');
    return this.cfg;
  }

  /** True when nothing was ever ingested into the configured data dir. */
  get storeExists(): boolean {
    return existsSync(this.config.dbPath);
  }

  openStore(): Store {
    this.store ??= createSqliteStore(this.config.dbPath);
    return this.store;
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** A message for people (stderr), suppressed by --quiet unless it is an error. */
  note(text: string): void {
    if (!this.globals.quiet) this.io.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`vigil: warning: ${text}\n`);
  }

  fail(error: VigilError): void {
    this.io.stderr.write(`vigil: error: ${error.message}\n  hint: ${error.hint} [${error.code}]\n`);
    this.exitCode = error.exitCode;
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = null;
  }
}
