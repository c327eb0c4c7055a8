import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';

import type { VigilEvent } from '../../core/event.js';
import type { EventFilter } from '../../store/types.js';
import type { CliContext } from '../context.js';
import { parseTimeFlag } from '../../output/dates.js';
import { csvLine } from '../../output/csv.js';
import { eventToCsvRow, eventToExport, EXPORT_COLUMNS } from '../../output/event-json.js';
import { renderTable, safeText } from '../output/table.js';
import {
  addFilterOptions,
  filterFromOptions,
  FILTER_HELP,
  type FilterOptions,
} from './event-filters.js';

type Format = 'table' | 'json' | 'jsonl' | 'csv';

/** A commander argument parser for positive integers (a bad value is a usage error, exit 2). */
export function positive(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${flag} expects a positive integer, got ${v}`);
    return n;
  };
}

export function registerEvents(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('events')
    .description(
      'Query stored events: by type, kind, session, task, phase, role, model, time; latest N; count',
    );
  addFilterOptions(cmd);
  cmd
    .option('--latest <n>', 'the N most recent matching events (default 50)', positive('--latest'))
    .option(
      '--limit <n>',
      'page size when walking forward from --since with --cursor',
      positive('--limit'),
    )
    .option('--cursor <cursor>', 'continue after a previous page (printed as next_cursor)')
    .option('--all', 'every matching event, oldest first (streams)')
    .option('--count', 'print only how many events match')
    .option('--types', 'print the event types that match, with counts')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'jsonl', 'csv'])
        .default('table'),
    )
    .addHelpText(
      'after',
      `${FILTER_HELP}
Examples:
  vigil events --latest 20
  vigil events --kind llm_call --model gpt-5 --since 1d
  vigil events --session sess_20260216_a1 --all --format jsonl
  vigil events --type task_end --status failure --count
  vigil events --types`,
    )
    .action(
      async (
        opts: FilterOptions & {
          latest?: number;
          limit?: number;
          cursor?: string;
          all?: boolean;
          count?: boolean;
          types?: boolean;
          format: Format;
        },
      ) => {
        const filter: EventFilter = filterFromOptions(ctx, opts);
        if (opts.since !== undefined) filter.since = parseTimeFlag(opts.since, '--since', ctx.now);
        if (opts.until !== undefined) filter.until = parseTimeFlag(opts.until, '--until', ctx.now);
        if (!ctx.storeExists) {
          ctx.warn('nothing ingested yet; run `vigil ingest` first');
          if (opts.count) ctx.out(opts.format === 'json' ? '{"count":0}\n' : '0\n');
          return;
        }
        const store = ctx.openStore();
        if (opts.count) {
          const n = await store.countEvents(filter);
          ctx.out(opts.format === 'json' ? `${JSON.stringify({ count: n })}\n` : `${n}\n`);
          if (n === 0) ctx.exitCode = 1;
          return;
        }
        if (opts.types) {
          const rows = await store.countByType(filter);
          if (opts.format === 'json') ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
          else if (opts.format === 'csv')
            ctx.out(
              csvLine(['type', 'kind', 'count']) +
                rows.map((r) => csvLine([r.type, r.kind, r.count])).join(''),
            );
          else
            ctx.out(
              renderTable(
                ['type', 'kind', 'count'],
                rows.map((r) => [r.type, r.kind, r.count]),
              ),
            );
          if (rows.length === 0) ctx.exitCode = 1;
          return;
        }
        let events: VigilEvent[];
        let nextCursor: string | null = null;
        if (opts.all) {
          await emitStream(ctx, store.iterateEvents(filter), opts.format);
          return;
        }
        if (opts.cursor !== undefined || opts.limit !== undefined) {
          const page = await store.queryEvents({
            ...filter,
            limit: opts.limit ?? 100,
            cursor: opts.cursor,
          });
          events = page.events;
          nextCursor = page.nextCursor;
        } else {
          const page = await store.queryEvents({
            ...filter,
            descending: true,
            limit: opts.latest ?? 50,
          });
          events = page.events.reverse();
        }
        if (events.length === 0) ctx.exitCode = 1;
        if (opts.format === 'json') {
          ctx.out(
            `${JSON.stringify({ events: events.map(eventToExport), next_cursor: nextCursor }, null, 2)}\n`,
          );
        } else {
          await emitStream(ctx, events, opts.format);
          if (nextCursor) ctx.note(`next_cursor: ${nextCursor}`);
        }
      },
    );
}

async function emitStream(
  ctx: CliContext,
  events: AsyncIterable<VigilEvent> | Iterable<VigilEvent>,
  format: Format,
): Promise<void> {
  const write = async (s: string) => {
    if (!ctx.io.stdout.write(s)) await new Promise((r) => ctx.io.stdout.once('drain', r));
  };
  if (format === 'table') {
    const rows: (string | number | null)[][] = [];
    for await (const e of events) {
      rows.push([
        new Date(e.ts).toISOString().replace('T', ' ').slice(0, 19),
        safeText(e.type, 32),
        e.kind,
        e.status,
        e.sessionId === null ? null : safeText(e.sessionId, 24),
        e.taskId === null ? null : safeText(e.taskId, 24),
        e.model === null ? null : safeText(e.model, 24),
        e.tokensIn === null && e.tokensOut === null
          ? null
          : `${e.tokensIn ?? 0}/${e.tokensOut ?? 0}`,
        e.message === null ? null : safeText(e.message, 60),
      ]);
    }
    await write(
      renderTable(
        [
          'time (UTC)',
          'type',
          'kind',
          'status',
          'session',
          'task',
          'model',
          'tokens in/out',
          'message',
        ],
        rows,
      ),
    );
    return;
  }
  if (format === 'csv') await write(csvLine(EXPORT_COLUMNS));
  let first = true;
  if (format === 'json') await write('[');
  for await (const e of events) {
    if (format === 'csv') await write(csvLine(eventToCsvRow(e)));
    else if (format === 'jsonl') await write(`${JSON.stringify(eventToExport(e))}\n`);
    else {
      await write(`${first ? '\n' : ',\n'}  ${JSON.stringify(eventToExport(e))}`);
      first = false;
    }
  }
  if (format === 'json') await write(first ? ']\n' : '\n]\n');
}
