import type { Command } from 'commander';

import { VigilError } from '../../core/errors.js';
import { parseDuration } from '../../config/duration.js';
import type { CliContext } from '../context.js';

export function registerPrune(program: Command, ctx: CliContext): void {
  program
    .command('prune')
    .description(
      'Delete events older than a retention period (the KPI tracker: 90 days for task and session ids)',
    )
    .option(
      '--older-than <duration>',
      'age to keep, e.g. 90d, 12h, 2w (default: [retention] older_than, else 90d)',
    )
    .option('--dry-run', 'count what would be deleted, change nothing')
    .option('--json', 'print the counts as JSON')
    .addHelpText(
      'after',
      `
Runs in one transaction: killed at any moment, the store is either as before or fully pruned,
and a rerun is idempotent. Ingest running at the same time waits for it and loses nothing.
Hourly aggregates (counts, tokens and cost by model: no ids, no text) are kept, so summaries of
pruned periods still work; the KPI tracker keeps model and token data indefinitely.

Examples:
  vigil prune --older-than 90d --dry-run
  vigil prune --older-than 30d`,
    )
    .action(async (opts: { olderThan?: string; dryRun?: boolean; json?: boolean }) => {
      let ageMs = ctx.config.retentionMs;
      if (opts.olderThan !== undefined) {
        const parsed = parseDuration(opts.olderThan);
        if (parsed === null)
          throw new VigilError(
            'VIGIL_ERR_USAGE',
            `--older-than ${opts.olderThan}: expected a duration such as 90d, 12h or 2w`,
          );
        ageMs = parsed;
      }
      const before = ctx.now - ageMs;
      if (!ctx.storeExists) {
        ctx.note('nothing ingested yet; nothing to prune');
        if (opts.json)
          ctx.out(
            `${JSON.stringify({ dry_run: opts.dryRun === true, before: new Date(before).toISOString(), events: 0, tasks: 0, sessions: 0 })}\n`,
          );
        return;
      }
      const r = await ctx.openStore().prune(before, { dryRun: opts.dryRun === true });
      if (opts.json) {
        ctx.out(
          `${JSON.stringify({ dry_run: opts.dryRun === true, before: new Date(before).toISOString(), ...r })}\n`,
        );
        return;
      }
      const verb = opts.dryRun ? 'would delete' : 'deleted';
      ctx.out(
        `${verb} ${r.events.toLocaleString('en-US')} events, ${r.tasks.toLocaleString('en-US')} tasks and ${r.sessions.toLocaleString('en-US')} sessions older than ${new Date(before).toISOString()}\n`,
      );
    });
}
