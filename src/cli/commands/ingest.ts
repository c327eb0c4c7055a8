import { statSync } from 'node:fs';
import { relative } from 'node:path';

import type { Command } from 'commander';

import type { IngestTotals, RejectReport } from '../../ingest/ingest-files.js';
import type { CliContext } from '../context.js';
import { formatInt, safeText } from '../output/table.js';

const MAX_PRINTED_REJECTS = 200;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

interface Group {
  files: string[];
  discovered: Set<string>;
  format?: string;
}

export function registerIngest(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description(
      'Ingest telemetry files exactly once: files, folders or globs (the configured sources when none is given)',
    )
    .argument('[paths...]', 'files, folders (read recursively) or quoted globs')
    .option('--format <name>', 'force an adapter instead of detecting it (see `vigil formats`)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--no-progress', 'no progress bar even on a terminal')
    .addHelpText(
      'after',
      `
Each file is read from where the last run stopped (a checkpoint kept in the same transaction as
its events), so re-running reads only new lines and an interrupted run loses and duplicates
nothing. Events whose id is already stored are skipped and counted, not errors. Every rejected
line is reported as file:line: reason. A last line without its newline waits for it.

Exit codes: 0 ok, 2 some lines were rejected (the rest were stored), 3 a file was not found,
not readable, or the disk is full.

Examples:
  vigil ingest                          the configured sources (or the supported frameworks' default paths)
  vigil ingest .droid/kpis.jsonl
  vigil ingest workspaces/ "state/telemetry/*.jsonl"
  vigil ingest --format generic logs/agent.jsonl`,
    )
    .action(
      async (paths: string[], opts: { format?: string; json?: boolean; progress: boolean }) => {
        // Loaded here, not at start-up: only ingest needs the adapters and the pipeline.
        const [
          { default: cliProgress },
          { discoverFiles },
          { ingestFiles },
          { createConfiguredRegistry },
        ] = await Promise.all([
          import('cli-progress'),
          import('../../ingest/discover.js'),
          import('../../ingest/ingest-files.js'),
          import('../../ingest/configured-registry.js'),
        ]);
        const cfg = ctx.config;
        const registry = createConfiguredRegistry(cfg);
        const groups: Group[] = [];
        let missingExplicit: string[] = [];
        const inaccessible: string[] = [];
        if (paths.length > 0) {
          const d = await discoverFiles(paths, ctx.io.cwd);
          groups.push({ files: d.files, discovered: d.discovered, format: opts.format });
          missingExplicit = d.missing;
          for (const x of d.inaccessible) inaccessible.push(x.error.message);
        } else {
          for (const source of cfg.sources) {
            const d = await discoverFiles([source.path], ctx.io.cwd);
            for (const x of d.inaccessible) inaccessible.push(x.error.message);
            const format =
              opts.format ??
              (source.format === 'generic' ? `generic:${source.path}` : source.format);
            if (d.files.length > 0)
              groups.push({ files: d.files, discovered: new Set(d.files), format });
            else if (d.inaccessible.length > 0) continue;
            else if (cfg.sourcesConfigured)
              ctx.warn(`configured source matched no file: ${source.path}`);
            else if (source.format === 'kpi')
              ctx.warn(
                `no KPI file yet at ${relative(ctx.io.cwd, source.path) || source.path} (fine for a new setup)`,
              );
          }
        }
        for (const m of missingExplicit) ctx.io.stderr.write(`vigil: error: ${m}: not found\n`);
        for (const m of inaccessible) ctx.io.stderr.write(`vigil: error: ${m}\n`);
        missingExplicit.push(...inaccessible);
        const files = groups.flatMap((g) => g.files);
        if (files.length === 0) {
          ctx.note(
            missingExplicit.length
              ? 'nothing to ingest'
              : 'nothing to ingest: no source file found (pass paths, or configure [[sources]])',
          );
          ctx.exitCode = missingExplicit.length ? 3 : 0;
          if (opts.json)
            ctx.out(
              `${JSON.stringify({ files: [], inserted: 0, duplicates: 0, conflicts: 0, rejected: 0, missing: missingExplicit })}\n`,
            );
          return;
        }

        const store = ctx.openStore();
        const totalBytes = files.reduce((a, f) => a + safeSize(f), 0);
        const showBar =
          opts.progress &&
          !opts.json &&
          !ctx.globals.quiet &&
          ctx.io.stderr.isTTY === true &&
          totalBytes > 4 << 20;
        const bar = showBar
          ? new cliProgress.SingleBar(
              {
                stream: ctx.io.stderr,
                format: 'ingest [{bar}] {percentage}% | {done} / {size} | {events} events | {file}',
                hideCursor: true,
                clearOnComplete: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let doneBefore = 0;
        let events = 0;
        bar?.start(totalBytes, 0, {
          done: formatBytes(0),
          size: formatBytes(totalBytes),
          events: 0,
          file: '',
        });
        let printed = 0;
        let unprinted = 0;
        const onReject = (r: RejectReport) => {
          if (printed < MAX_PRINTED_REJECTS) {
            printed += 1;
            const shown = displayPath(ctx.io.cwd, r.file);
            const where = r.line === null ? shown : `${shown}:${r.line}`;
            const text = `${where}: ${safeText(r.message, 300)}\n`;
            if (bar) bar.stop();
            ctx.io.stderr.write(text);
          } else unprinted += 1;
        };
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const started = performance.now();
        const all: IngestTotals = {
          files: [],
          inserted: 0,
          duplicates: 0,
          conflicts: 0,
          rejected: 0,
          rejectsByReason: {},
          bytesRead: 0,
        };
        try {
          for (const group of groups) {
            const t = await ingestFiles(store, group.files, {
              registry,
              format: group.format,
              discovered: group.discovered,
              maxLineBytes: cfg.maxLineBytes,
              batchEvents: cfg.batchEvents,
              parseWorker: cfg.parseWorker,
              signal: abort.signal,
              onReject,
              onCommit: (r) => {
                events += r.inserted + r.duplicates;
              },
              onProgress: (p) =>
                bar?.update(doneBefore + p.bytesDone, {
                  done: formatBytes(doneBefore + p.bytesDone),
                  size: formatBytes(totalBytes),
                  events: formatInt(events),
                  file: displayPath(ctx.io.cwd, p.file),
                }),
            });
            doneBefore += t.bytesRead;
            all.files.push(...t.files);
            all.inserted += t.inserted;
            all.duplicates += t.duplicates;
            all.conflicts += t.conflicts;
            all.rejected += t.rejected;
            all.bytesRead += t.bytesRead;
            for (const [k, v] of Object.entries(t.rejectsByReason))
              all.rejectsByReason[k as keyof typeof all.rejectsByReason] =
                (all.rejectsByReason[k as keyof typeof all.rejectsByReason] ?? 0) + v;
          }
        } finally {
          bar?.stop();
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
        const seconds = (performance.now() - started) / 1000;
        if (unprinted > 0)
          ctx.io.stderr.write(`... and ${formatInt(unprinted)} more rejected lines\n`);
        report(ctx, all, seconds, missingExplicit, opts.json === true, abort.signal.aborted);
      },
    );
}

/** A path relative to the working folder when it lies inside it, else absolute. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function report(
  ctx: CliContext,
  t: IngestTotals,
  seconds: number,
  missing: string[],
  json: boolean,
  interrupted: boolean,
): void {
  const errors = t.files.filter((f) => f.status === 'error');
  const undetected = t.files.filter((f) => f.status === 'undetected');
  const explicitUndetected = undetected.filter((f) => !f.note?.startsWith('skipped'));
  for (const f of errors) ctx.io.stderr.write(`vigil: error: ${f.error?.message ?? f.path}\n`);
  for (const f of explicitUndetected) ctx.io.stderr.write(`vigil: error: ${f.path}: ${f.note}\n`);
  for (const f of t.files) {
    if (f.note && f.status !== 'undetected') ctx.note(`${f.path}: ${f.note}`);
    if (f.partialLine)
      ctx.note(`${f.path}: the last line has no newline yet; it is read once the line is complete`);
  }
  if (errors.length > 0 || missing.length > 0) ctx.exitCode = 3;
  else if (t.rejected > 0 || explicitUndetected.length > 0) ctx.exitCode = 2;
  if (interrupted) ctx.exitCode = 130 as never;
  if (json) {
    ctx.out(
      `${JSON.stringify(
        {
          inserted: t.inserted,
          duplicates: t.duplicates,
          conflicts: t.conflicts,
          rejected: t.rejected,
          rejects_by_reason: t.rejectsByReason,
          bytes_read: t.bytesRead,
          seconds: Number(seconds.toFixed(3)),
          peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
          interrupted,
          missing,
          files: t.files.map((f) => ({
            path: f.path,
            adapter: f.adapter,
            status: f.status,
            bytes_read: f.bytesRead,
            lines: f.lines,
            inserted: f.inserted,
            duplicates: f.duplicates,
            conflicts: f.conflicts,
            rejected: f.rejected,
            partial_line: f.partialLine,
            note: f.note,
            error: f.error?.message ?? null,
          })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const read = t.files.filter((f) => f.status === 'ingested').length;
  const unchanged = t.files.filter((f) => f.status === 'unchanged').length;
  const rate =
    seconds > 0 && t.inserted > 1000 ? `, ${formatInt(t.inserted / seconds)} events/s` : '';
  const parts = [
    `ingested ${formatInt(t.inserted)} events from ${read} file${read === 1 ? '' : 's'} (${formatBytes(t.bytesRead)} in ${seconds.toFixed(2)} s${rate})`,
    `${formatInt(t.duplicates)} duplicates skipped${t.conflicts ? ` (${formatInt(t.conflicts)} with a different body)` : ''}`,
    `${formatInt(t.rejected)} lines rejected`,
  ];
  if (unchanged) parts.push(`${unchanged} unchanged`);
  if (undetected.length - explicitUndetected.length > 0)
    parts.push(`${undetected.length - explicitUndetected.length} not recognised (skipped)`);
  ctx.note(`${interrupted ? 'interrupted: ' : ''}${parts.join('; ')}`);
}
