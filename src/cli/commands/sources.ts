import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import type { Command } from 'commander';

import type { CliContext } from '../context.js';
import { renderTable } from '../output/table.js';

function head(path: string): { text: string; size: number } | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(4096, size));
      readSync(fd, buf, 0, buf.length, 0);
      return { text: buf.toString('utf8'), size };
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

export function registerSources(program: Command, ctx: CliContext): void {
  program
    .command('sources')
    .description(
      'Show the sources: which files each path matches, the adapter detected, and how far each is ingested',
    )
    .argument('[paths...]', 'paths to inspect instead of the configured sources')
    .option('--json', 'as JSON')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const [{ discoverFiles }, { createConfiguredRegistry }] = await Promise.all([
        import('../../ingest/discover.js'),
        import('../../ingest/configured-registry.js'),
      ]);
      const cfg = ctx.config;
      const registry = createConfiguredRegistry(cfg);
      const store = ctx.storeExists ? ctx.openStore() : null;
      const specs = paths.length
        ? paths.map((p) => ({ path: p, format: undefined as string | undefined }))
        : cfg.sources;
      const rows: {
        source: string;
        file: string | null;
        adapter: string | null;
        size: number | null;
        ingested: number | null;
      }[] = [];
      for (const spec of specs) {
        const d = await discoverFiles([spec.path], ctx.io.cwd);
        if (d.files.length === 0)
          rows.push({ source: spec.path, file: null, adapter: null, size: null, ingested: null });
        for (const file of d.files) {
          const h = head(file);
          const adapter =
            spec.format === 'generic'
              ? 'generic'
              : (spec.format ?? (h ? (registry.detect(file, h.text)?.name ?? null) : null));
          const cp = store ? await store.getCheckpoint(file) : null;
          rows.push({
            source: spec.path,
            file,
            adapter,
            size: h?.size ?? null,
            ingested: cp?.offset ?? null,
          });
        }
      }
      if (opts.json) {
        ctx.out(
          `${JSON.stringify({ config: cfg.file, data_dir: cfg.dataDir, configured: cfg.sourcesConfigured, sources: rows }, null, 2)}\n`,
        );
        return;
      }
      ctx.out(
        `config: ${cfg.file ?? '(none: using the default source paths)'}\ndata dir: ${cfg.dataDir}\n\n`,
      );
      const found = rows.filter((r) => r.file !== null);
      ctx.out(
        renderTable(
          ['file', 'adapter', 'size', 'ingested to', 'behind'],
          found.map((r) => [
            r.file,
            r.adapter ?? '(not recognised)',
            r.size,
            r.ingested,
            r.size !== null && r.ingested !== null ? Math.max(0, r.size - r.ingested) : r.size,
          ]),
        ),
      );
      const missing = rows.filter((r) => r.file === null);
      if (missing.length) ctx.out(`\nno file at: ${missing.map((r) => r.source).join(', ')}\n`);
    });
}
