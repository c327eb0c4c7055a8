import type { Command } from 'commander';
import { Option } from 'commander';

import { buildSummary } from '../../core/summary.js';
import type { EventFilter } from '../../store/types.js';
import type { CliContext } from '../context.js';
import { periodDates } from '../../output/dates.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { csvLine } from '../../output/csv.js';
import { eventToCsvRow, eventToExport, EXPORT_COLUMNS } from '../../output/event-json.js';
import {
  filterFromOptions,
  FILTER_HELP,
  addFilterOptions,
  type FilterOptions,
} from './event-filters.js';
import { byModelJson, summaryJson } from '../../output/summary-forms.js';
import { resolveRange } from './summary.js';

export function registerExport(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('export')
    .description(
      'Export events and their summary as JSON or CSV, to stdout or a file written atomically',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'),
    )
    .option(
      '-o, --output <file>',
      'write to FILE atomically (temp file + rename) instead of stdout',
    );
  addFilterOptions(cmd, { since: '7d', until: 'now' });
  cmd
    .addHelpText(
      'after',
      `
JSON is the KPI tracker's shape: {"period": {...}, "summary": {...}, "by_model": [...], "events": [...]},
events in time order with the KPI tracker's field names (event_id, event_type, timestamp, task_id,
tokens_input, tokens_output, duration_seconds, status, error_message, ...). CSV has one row per
event with the same columns. Memory stays bounded however many events there are.
${FILTER_HELP}
Exit codes: 0 ok, 1 no events in the range (an empty export is still written), 3 cannot write.

Examples:
  vigil export --format json --since 2026-02-15 > kpis.json
  vigil export --format csv --kind task -o tasks.csv`,
    )
    .action(async (opts: FilterOptions & { format: 'json' | 'csv'; output?: string }) => {
      const range = resolveRange(ctx, opts);
      const filter: EventFilter = {
        ...filterFromOptions(ctx, opts),
        since: range.since,
        until: range.until,
      };
      const store = ctx.storeExists ? ctx.openStore() : null;
      if (store === null)
        ctx.warn('nothing ingested yet; the export is empty (run `vigil ingest` first)');
      // Counted while streaming: one pass over the events, not a count query and then a pass.
      let count = 0;
      const events = async function* () {
        if (store === null) return;
        for await (const e of store.iterateEvents(filter)) {
          count += 1;
          yield e;
        }
      };
      const chunks = async function* (): AsyncGenerator<string> {
        if (opts.format === 'csv') {
          yield csvLine(EXPORT_COLUMNS);
          for await (const e of events()) yield csvLine(eventToCsvRow(e));
          return;
        }
        const aggregates = store
          ? await store.aggregateByModel({
              since: range.since,
              until: range.until,
              model: opts.model,
            })
          : [];
        const summary = buildSummary(aggregates, ctx.config.prices, {
          start: range.since,
          end: range.until,
        });
        const head = {
          period: periodDates(range.since, range.until),
          summary: summaryJson(summary),
          by_model: byModelJson(summary),
        };
        yield `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "events": [`;
        let first = true;
        for await (const e of events()) {
          yield `${first ? '\n' : ',\n'}    ${JSON.stringify(eventToExport(e))}`;
          first = false;
        }
        yield `${first ? '' : '\n  '}]\n}\n`;
      };
      if (opts.output !== undefined) {
        const bytes = await writeFileAtomic(opts.output, chunks());
        ctx.note(
          `wrote ${count.toLocaleString('en-US')} events (${bytes.toLocaleString('en-US')} bytes) to ${opts.output}`,
        );
      } else {
        for await (const chunk of chunks()) {
          if (!ctx.io.stdout.write(chunk)) await new Promise((r) => ctx.io.stdout.once('drain', r));
        }
      }
      if (count === 0 && store !== null) {
        ctx.io.stderr.write('No data for period\n');
        ctx.exitCode = 1;
      }
    });
}
