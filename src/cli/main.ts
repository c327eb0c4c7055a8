import { Command, CommanderError } from 'commander';

import { VigilError } from '../core/errors.js';
import { CliContext, type Io } from './context.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEvents } from './commands/events.js';
import { registerExport } from './commands/export.js';
import { registerFormats } from './commands/formats.js';
import { registerIngest } from './commands/ingest.js';
import { registerPlugin } from './commands/plugin.js';
import { registerPrune } from './commands/prune.js';
import { registerSanitize } from './commands/sanitize.js';
import { registerServe } from './commands/serve.js';
import { registerSessions } from './commands/sessions.js';
import { registerSources } from './commands/sources.js';
import { registerSummary } from './commands/summary.js';
import { VERSION } from '../version.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('vigil')
    .description(
      'Local-first observability for AI-agent development: ingest agent telemetry exactly once, then query it.',
    )
    .version(VERSION, '-V, --version')
    .option(
      '--data-dir <dir>',
      'where the database and checkpoints live (env VIGIL_DATA_DIR; default ~/.local/share/vigil)',
    )
    .option(
      '--config <file>',
      'TOML config file (env VIGIL_CONFIG; default ./vigil.toml, then ~/.config/vigil/config.toml)',
    )
    .option('-q, --quiet', 'print only results and errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride()
    .hook('preAction', async (_program, action) => {
      ctx.globals = action.optsWithGlobals();
      await ctx.init();
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 no data for the period, 2 parse or usage error, 3 file not found, permission or disk error.

Examples:
  vigil ingest .droid/kpis.jsonl          ingest a KPI file (re-runs read only new lines)
  vigil summary --since 2026-02-10        the KPI tracker's KPI summary
  vigil export --format csv -o kpis.csv   export the events of the last 7 days
  vigil events --kind llm_call --latest 20`,
    );
  for (const register of [
    registerServe,
    registerIngest,
    registerSummary,
    registerExport,
    registerEvents,
    registerSessions,
    registerPrune,
    registerSanitize,
    registerSources,
    registerFormats,
    registerDoctor,
    registerPlugin,
  ]) {
    register(program, ctx);
  }
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  return program;
}

/** Runs the CLI on `argv` (as process.argv) and resolves to the exit code. */
export async function main(argv: readonly string[], io?: Partial<Io>): Promise<number> {
  const ctx = new CliContext({
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...io,
  });
  ignoreEpipe(ctx.io.stdout);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
        ? 0
        : 2;
    }
    if (error instanceof VigilError) ctx.fail(error);
    else throw error;
  } finally {
    await ctx.close();
  }
  return ctx.exitCode;
}

function ignoreEpipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
