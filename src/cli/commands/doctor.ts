import type { Command } from 'commander';

import type { CliContext } from '../context.js';

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      "Check the store's integrity: SQLite's own check, no event stored twice, rollups equal to their events",
    )
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => {
      if (!ctx.storeExists) {
        ctx.note(`no database at ${ctx.config.dbPath} yet (nothing ingested)`);
        return;
      }
      const r = await ctx.openStore().checkIntegrity();
      if (opts.json) ctx.out(`${JSON.stringify(r)}\n`);
      else
        ctx.out(
          r.ok
            ? `ok: ${ctx.config.dbPath}\n`
            : `problems in ${ctx.config.dbPath}:\n${r.problems.map((p) => `  - ${p}`).join('\n')}\n`,
        );
      if (!r.ok) ctx.exitCode = 3;
    });
}
