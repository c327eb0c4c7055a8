import type { Command } from 'commander';
import { Option } from 'commander';

import type { CliContext } from '../context.js';
import { parseTimeFlag } from '../../output/dates.js';
import { toCsv } from '../../output/csv.js';
import { formatInt, renderTable, safeText } from '../output/table.js';
import { positive } from './events.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function registerSessions(program: Command, ctx: CliContext): void {
  program
    .command('sessions')
    .description('List sessions (optionally by date range), or summarise one session')
    .argument(
      '[session-id]',
      'summarise this session: event counts by kind and type, tasks, phases, models',
    )
    .option('--since <date>', 'sessions active from this date (YYYY-MM-DD, ISO-8601 or 7d)')
    .option('--until <date>', 'sessions active before this date')
    .option('--limit <n>', 'at most N sessions, newest first', positive('--limit'), 100)
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .addHelpText(
      'after',
      `
Examples:
  vigil sessions --since 7d
  vigil sessions sess_20260216_a1 --format json
  vigil events --session sess_20260216_a1 --all      the session's timeline`,
    )
    .action(
      async (
        sessionId: string | undefined,
        opts: { since?: string; until?: string; limit: number; format: 'table' | 'json' | 'csv' },
      ) => {
        if (!ctx.storeExists) {
          ctx.warn('nothing ingested yet; run `vigil ingest` first');
          ctx.exitCode = 1;
          return;
        }
        const store = ctx.openStore();
        if (sessionId !== undefined) {
          const s = await store.getSession(sessionId);
          if (s === null) {
            ctx.io.stderr.write(`No session ${sessionId}\n`);
            ctx.exitCode = 1;
            return;
          }
          if (opts.format === 'json') {
            ctx.out(
              `${JSON.stringify({ ...s, firstTs: iso(s.firstTs), lastTs: iso(s.lastTs) }, null, 2)}\n`,
            );
            return;
          }
          if (opts.format === 'csv') {
            ctx.out(toCsv(['type', 'count'], Object.entries(s.countsByType)));
            return;
          }
          const row = (label: string, value: string) => `${label.padEnd(16)}${value}\n`;
          let out = `Session ${safeText(s.sessionId)}\n`;
          out += row('From:', iso(s.firstTs));
          out += row('To:', iso(s.lastTs));
          out += row('Status:', s.status ?? 'n/a');
          out += row('Events:', formatInt(s.eventCount));
          out += row(
            'Tasks:',
            `${s.tasks.total} (${s.tasks.success} ok, ${s.tasks.failure} failed, ${s.tasks.incomplete} incomplete)`,
          );
          out += row('Tokens:', `${formatInt(s.tokensIn)} in, ${formatInt(s.tokensOut)} out`);
          out += row('Models:', s.models.join(', ') || 'n/a');
          out += row('Phases:', s.phases.map((p) => safeText(p, 40)).join(' → ') || 'n/a');
          out += row('Sources:', s.adapters.join(', '));
          out += '\nBy kind:\n';
          for (const [k, n] of Object.entries(s.countsByKind).sort(
            (a, b) => (b[1] ?? 0) - (a[1] ?? 0),
          ))
            out += `  ${`${k}:`.padEnd(14)}${formatInt(n ?? 0)}\n`;
          ctx.out(out);
          return;
        }
        const since =
          opts.since !== undefined ? parseTimeFlag(opts.since, '--since', ctx.now) : undefined;
        const until =
          opts.until !== undefined ? parseTimeFlag(opts.until, '--until', ctx.now) : undefined;
        const sessions = await store.listSessions({ since, until, limit: opts.limit });
        if (sessions.length === 0) {
          ctx.io.stderr.write('No sessions for period\n');
          ctx.exitCode = 1;
        }
        if (opts.format === 'json') {
          ctx.out(
            `${JSON.stringify(
              sessions.map((s) => ({ ...s, firstTs: iso(s.firstTs), lastTs: iso(s.lastTs) })),
              null,
              2,
            )}\n`,
          );
        } else if (opts.format === 'csv') {
          ctx.out(
            toCsv(
              [
                'session_id',
                'first',
                'last',
                'events',
                'status',
                'tokens_input',
                'tokens_output',
                'models',
                'adapters',
              ],
              sessions.map((s) => [
                s.sessionId,
                iso(s.firstTs),
                iso(s.lastTs),
                s.eventCount,
                s.status,
                s.tokensIn,
                s.tokensOut,
                s.models.join(' '),
                s.adapters.join(' '),
              ]),
            ),
          );
        } else if (sessions.length > 0) {
          ctx.out(
            renderTable(
              [
                'session',
                'first (UTC)',
                'last (UTC)',
                'events',
                'status',
                'tokens in',
                'tokens out',
                'models',
              ],
              sessions.map((s) => [
                safeText(s.sessionId, 40),
                iso(s.firstTs).slice(0, 19),
                iso(s.lastTs).slice(0, 19),
                s.eventCount,
                s.status,
                s.tokensIn,
                s.tokensOut,
                safeText(s.models.join(', '), 40),
              ]),
            ),
          );
        }
      },
    );
}
