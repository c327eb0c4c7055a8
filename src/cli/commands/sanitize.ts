import type { Command } from 'commander';

import { VigilError } from '../../core/errors.js';
import { sanitizeText } from '../../core/sanitize/index.js';
import type { SanitizableField } from '../../store/types.js';
import type { CliContext } from '../context.js';

/** `--field` names: the KPI tracker's `error_message` is the event's message. */
const FIELDS: Record<string, SanitizableField> = {
  error_message: 'message',
  message: 'message',
  attrs: 'attrs',
};

function sanitizeJsonStrings(value: unknown, counts: Record<string, number>): unknown {
  if (typeof value === 'string') {
    const r = sanitizeText(value);
    for (const [k, n] of Object.entries(r.redactions)) if (n) counts[k] = (counts[k] ?? 0) + n;
    return r.text;
  }
  if (Array.isArray(value)) return value.map((v) => sanitizeJsonStrings(v, counts));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = sanitizeJsonStrings(v, counts);
    return out;
  }
  return value;
}

export function registerSanitize(program: Command, ctx: CliContext): void {
  program
    .command('sanitize')
    .description(
      'Remove secrets, API keys, tokens, home paths and stack traces from a stored text field',
    )
    .requiredOption('--field <name>', `field to clean: ${Object.keys(FIELDS).join(', ')}`)
    .option('--dry-run', 'report what would change, per kind, without writing')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Rewrites the field of every stored event in one transaction: killed at any moment, the store is
either as before or fully sanitised; a rerun changes nothing more. The patterns run in linear
time (see docs/sanitize.md), so hostile text cannot stall it.

Examples:
  vigil sanitize --field error_message --dry-run
  vigil sanitize --field error_message
  vigil sanitize --field attrs`,
    )
    .action(async (opts: { field: string; dryRun?: boolean; json?: boolean }) => {
      const field = FIELDS[opts.field];
      if (field === undefined) {
        throw new VigilError(
          'VIGIL_ERR_USAGE',
          `--field ${opts.field}: expected one of ${Object.keys(FIELDS).join(', ')}`,
        );
      }
      const counts: Record<string, number> = {};
      if (!ctx.storeExists) {
        ctx.note('nothing ingested yet; nothing to sanitise');
        return;
      }
      const rewrite =
        field === 'message'
          ? (v: string) => {
              const r = sanitizeText(v);
              for (const [k, n] of Object.entries(r.redactions))
                if (n) counts[k] = (counts[k] ?? 0) + n;
              return r.text;
            }
          : (v: string) => {
              const before = JSON.parse(v) as unknown;
              const after = JSON.stringify(sanitizeJsonStrings(before, counts));
              return after === v ? v : after;
            };
      const r = await ctx
        .openStore()
        .rewriteField(field, rewrite, { dryRun: opts.dryRun === true });
      if (opts.json) {
        ctx.out(
          `${JSON.stringify({ dry_run: opts.dryRun === true, field: opts.field, scanned: r.scanned, changed: r.changed, redactions: counts })}\n`,
        );
        return;
      }
      const kinds = Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      ctx.out(
        `${opts.dryRun ? 'would change' : 'changed'} ${r.changed.toLocaleString('en-US')} of ${r.scanned.toLocaleString('en-US')} events${kinds ? ` (${kinds})` : ''}\n`,
      );
    });
}
