import type { Command } from 'commander';
import { Option } from 'commander';

import { PRICES_TAKEN_ON } from '../../core/prices.js';
import { buildSummary, type Summary } from '../../core/summary.js';
import type { CliContext } from '../context.js';
import { parseTimeFlag, periodDates } from '../../output/dates.js';
import { byModelJson, summaryCsv, summaryJson } from '../../output/summary-forms.js';
import { formatInt, formatPercent, formatUsd } from '../output/table.js';

export interface RangeOptions {
  since?: string;
  until?: string;
  model?: string;
}

/** Resolves the KPI tracker's range flags: since defaults to 7 days ago, until to now. */
export function resolveRange(
  ctx: CliContext,
  opts: RangeOptions,
): { since: number; until: number } {
  const since =
    opts.since !== undefined
      ? parseTimeFlag(opts.since, '--since', ctx.now)
      : ctx.now - 7 * 86_400_000;
  const until = opts.until !== undefined ? parseTimeFlag(opts.until, '--until', ctx.now) : ctx.now;
  return { since, until };
}

/** The KPI tracker's table layout (section 3.D). */
export function summaryTable(s: Summary): string {
  const p = periodDates(s.period.start, s.period.end);
  const title = `KPI Summary (${p.start} to ${p.end})`;
  const row = (label: string, value: string) => `${label.padEnd(20)}${value}\n`;
  let out = `${title}\n${'='.repeat(title.length)}\n`;
  out += row('Total tasks:', formatInt(s.totalTasks));
  out += row('Success rate:', formatPercent(s.successRate));
  if (s.incompleteTasks > 0)
    out += row('Incomplete:', `${formatInt(s.incompleteTasks)} (no end event yet)`);
  out += row(
    'Avg duration:',
    s.avgDurationSeconds === null ? 'n/a' : `${(s.avgDurationSeconds / 60).toFixed(1)} min`,
  );
  out += row('Total tokens:', formatInt(s.totalTokens));
  out += row('  - Input:', formatInt(s.tokensIn));
  out += row('  - Output:', formatInt(s.tokensOut));
  if (s.tokensCacheRead > 0) out += row('  - Cache read:', formatInt(s.tokensCacheRead));
  if (s.tokensCacheWrite > 0) out += row('  - Cache write:', formatInt(s.tokensCacheWrite));
  out += row(
    'Cost estimate:',
    formatUsd(s.costUsd) +
      (s.unpricedModels.length ? ` (unpriced: ${s.unpricedModels.join(', ')})` : ''),
  );
  if (s.costReportedUsd > 0) out += row('Cost reported:', formatUsd(s.costReportedUsd));
  if (s.byModel.length > 0) {
    out += '\nBy Model:\n';
    // The KPI tracker's layout: values start in column 21, like the rows above; longer names push it.
    const width = Math.max(18, ...s.byModel.map((m) => (m.model || '(no model)').length + 2));
    for (const m of s.byModel) {
      const name = `${m.model || '(no model)'}:`.padEnd(width);
      const parts = [`${formatInt(m.tasks)} tasks`, `${formatPercent(m.successRate, 0)} success`];
      if (m.tasks === 0) parts.splice(0, 2, `${formatInt(m.tokensIn + m.tokensOut)} tokens`);
      out += `  ${name}${parts.join(', ')}\n`;
    }
  }
  return out;
}

export function registerSummary(program: Command, ctx: CliContext): void {
  program
    .command('summary')
    .description(
      "KPI summary for a time range: tasks, success rate, average duration, tokens, cost, per model, in the KPI tracker's layout",
    )
    .option('--since <date>', 'start: YYYY-MM-DD, ISO-8601 time or a duration back (7d)', '7d')
    .option('--until <date>', 'end (a date includes that whole day)', 'now')
    .option('--model <name>', 'only this model')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .addHelpText(
      'after',
      `
Tasks count in the period their end event falls in (tasks without one yet: their start).
Success rate = successful / ended tasks. Cost is estimated from the price table (shipped prices
taken ${PRICES_TAKEN_ON}; override under [prices] in the config); models without a price are
listed as unpriced, never costed at zero.

Exit codes: 0 ok (also when nothing was ingested yet: a warning says so), 1 no data for the period.

Examples:
  vigil summary --since 2026-02-10
  vigil summary --format json | jq '.summary'
  vigil summary --since 30d --model gpt-5 --format csv`,
    )
    .action(async (opts: RangeOptions & { format: 'table' | 'json' | 'csv' }) => {
      const range = resolveRange(ctx, opts);
      let summary: Summary;
      if (!ctx.storeExists) {
        ctx.warn(
          `nothing ingested yet into ${ctx.config.dataDir}; run \`vigil ingest\` first (an empty summary follows)`,
        );
        summary = buildSummary([], ctx.config.prices, { start: range.since, end: range.until });
      } else {
        const store = ctx.openStore();
        const aggregates = await store.aggregateByModel({
          since: range.since,
          until: range.until,
          model: opts.model,
        });
        summary = buildSummary(aggregates, ctx.config.prices, {
          start: range.since,
          end: range.until,
        });
        if (
          summary.totalTasks === 0 &&
          summary.totalTokens === 0 &&
          summary.tokensCacheRead === 0
        ) {
          const p = periodDates(range.since, range.until);
          ctx.io.stderr.write(
            `No data for period ${p.start} to ${p.end}${opts.model ? ` (model ${opts.model})` : ''}\n`,
          );
          ctx.exitCode = 1;
          if (opts.format === 'table') return;
        }
      }
      if (opts.format === 'json') {
        const p = periodDates(range.since, range.until);
        ctx.out(
          `${JSON.stringify({ period: p, summary: summaryJson(summary), by_model: byModelJson(summary), prices_taken_on: PRICES_TAKEN_ON }, null, 2)}\n`,
        );
      } else if (opts.format === 'csv') {
        ctx.out(summaryCsv(summary));
      } else {
        ctx.out(summaryTable(summary));
      }
    });
}
