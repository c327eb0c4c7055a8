/** `/api/ingest`: what the ingest monitor knows about live ingest. */
import { z } from 'zod';

import type { IngestMonitor } from '../../live/ingest-monitor.js';
import { round } from './attrs.js';
import { iso, isoOf } from './time.js';

export const SourceRow = z.object({
  path: z.string(),
  adapter: z.string().nullable(),
  offset: z.number().int().describe('Bytes read and committed'),
  size: z.number().int().describe('File size when last looked at'),
  lag_bytes: z.number().int().describe('size - offset: bytes waiting'),
  last_commit_at: z.string().nullable(),
  last_change_at: z.string().nullable(),
  last_error: z.string().nullable(),
});
export type SourceRow = z.infer<typeof SourceRow>;

export const RejectRow = z.object({
  at: z.string(),
  file: z.string(),
  line: z.number().int().nullable(),
  location: z.string().describe('file:line (or the file for whole-document rejects)'),
  reason: z.string(),
  message: z.string(),
});
export type RejectRow = z.infer<typeof RejectRow>;

export const IngestStatusBody = z.object({
  generated_at: z.string(),
  events_ingested: z.number().int(),
  duplicates: z.number().int(),
  conflicts: z.number().int(),
  errors: z.number().int(),
  last_error: z.object({ at: z.string(), message: z.string() }).nullable(),
  last_commit_at: z.string().nullable(),
  lag_seconds: z.number(),
  lag_bytes: z.number().int(),
  sources: z.array(SourceRow),
  sources_untracked: z.number().int().describe('Files not tracked because the limit was reached'),
  rejects: z.object({
    total: z.number().int(),
    by_reason: z.record(z.string(), z.number().int()),
    recent: z.array(RejectRow).describe('The latest rejects, newest first'),
  }),
});
export type IngestStatusBody = z.infer<typeof IngestStatusBody>;

export function ingestStatus(monitor: IngestMonitor, now: number): IngestStatusBody {
  const byReason = Object.fromEntries(
    [...monitor.rejectsByReason].sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return {
    generated_at: isoOf(now),
    events_ingested: monitor.eventsIngested,
    duplicates: monitor.duplicates,
    conflicts: monitor.conflicts,
    errors: monitor.errors,
    last_error:
      monitor.lastError === null
        ? null
        : { at: isoOf(monitor.lastError.at), message: monitor.lastError.message },
    last_commit_at: iso(monitor.lastCommitAt),
    lag_seconds: round(monitor.lagSeconds(now), 3),
    lag_bytes: monitor.lagBytes,
    sources: [...monitor.sources.values()]
      .map((s) => ({
        path: s.path,
        adapter: s.adapter,
        offset: s.offset,
        size: s.size,
        lag_bytes: Math.max(0, s.size - s.offset),
        last_commit_at: iso(s.lastCommitAt),
        last_change_at: iso(s.lastChangeAt),
        last_error: s.lastError,
      }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    sources_untracked: monitor.sourcesOverflow,
    rejects: {
      total: Object.values(byReason).reduce((s, n) => s + n, 0),
      by_reason: byReason,
      recent: [...monitor.recentRejects].reverse().map((r) => ({
        at: isoOf(r.at),
        file: r.file,
        line: r.line,
        location: r.line === null ? r.file : `${r.file}:${r.line}`,
        reason: r.reason,
        message: r.message,
      })),
    },
  };
}

export const SOURCE_COLUMNS = Object.keys(SourceRow.shape) as (keyof SourceRow)[];
export const REJECT_COLUMNS = Object.keys(RejectRow.shape) as (keyof RejectRow)[];
