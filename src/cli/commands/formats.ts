import type { Command } from 'commander';

import type { CliContext } from '../context.js';
import { renderTable } from '../output/table.js';

export function registerFormats(program: Command, ctx: CliContext): void {
  program
    .command('formats')
    .description('List the source formats (adapters) Vigil reads, for --format')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { createConfiguredRegistry } = await import('../../ingest/configured-registry.js');
      const registry = createConfiguredRegistry(ctx.config);
      const rows = registry.adapters.map((a) => ({
        name: a.name,
        mode: a.mode,
        description: a.description,
      }));
      if (opts.json) ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
      else
        ctx.out(
          renderTable(
            ['name', 'reads', 'description'],
            rows.map((r) => [
              r.name,
              r.mode === 'lines' ? 'JSONL lines' : 'whole file',
              r.description,
            ]),
          ),
        );
    });
}
