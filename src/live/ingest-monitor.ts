import type { RejectReason } from '../sources/types.js';

export interface RejectRecord {
  at: number;
  file: string;
  line: number | null;
  reason: RejectReason | string;
  message: string;
}

export interface SourceState {
  path: string;
  adapter: string | null;
  /** Bytes read and committed (the checkpoint offset). */
  offset: number;
  /** File size when last looked at: `size - offset` bytes are waiting. */
  size: number;
  /** When its last batch committed, epoch ms. */
  lastCommitAt: number | null;
  /** When the file last changed on disk as far as the tailer saw, epoch ms. */
  lastChangeAt: number | null;
  lastError: string | null;
}

const MAX_RECENT_REJECTS = 200;
const MAX_SOURCES = 10_000;

/**
 * What live ingest has done and where it stands: rejects by reason (and the latest ones, with
 * file and line), errors, per-file positions and lag. The API and /metrics read it; the tailer
 * and HTTP ingest write it.
 */
export class IngestMonitor {
  readonly rejectsByReason = new Map<string, number>();
  readonly recentRejects: RejectRecord[] = [];
  readonly sources = new Map<string, SourceState>();
  eventsIngested = 0;
  duplicates = 0;
  conflicts = 0;
  errors = 0;
  lastError: { at: number; message: string } | null = null;
  lastCommitAt: number | null = null;
  /** Sources not tracked because MAX_SOURCES were already. */
  sourcesOverflow = 0;

  reject(record: Omit<RejectRecord, 'at'>): void {
    this.rejectsByReason.set(record.reason, (this.rejectsByReason.get(record.reason) ?? 0) + 1);
    this.recentRejects.push({ at: Date.now(), ...record });
    if (this.recentRejects.length > MAX_RECENT_REJECTS) this.recentRejects.shift();
  }

  committed(counts: { inserted: number; duplicates: number; conflicts: number }): void {
    this.eventsIngested += counts.inserted;
    this.duplicates += counts.duplicates;
    this.conflicts += counts.conflicts;
    this.lastCommitAt = Date.now();
  }

  error(message: string, path?: string): void {
    this.errors += 1;
    this.lastError = { at: Date.now(), message };
    if (path !== undefined) {
      const s = this.source(path);
      if (s) s.lastError = message;
    }
  }

  /** The tracked state of a file (created on first use), or null past the cap. */
  source(path: string): SourceState | null {
    let s = this.sources.get(path);
    if (s === undefined) {
      if (this.sources.size >= MAX_SOURCES) {
        this.sourcesOverflow += 1;
        return null;
      }
      s = {
        path,
        adapter: null,
        offset: 0,
        size: 0,
        lastCommitAt: null,
        lastChangeAt: null,
        lastError: null,
      };
      this.sources.set(path, s);
    }
    return s;
  }

  forget(path: string): void {
    this.sources.delete(path);
  }

  /** Bytes written to watched files and not yet ingested. */
  get lagBytes(): number {
    let n = 0;
    for (const s of this.sources.values()) n += Math.max(0, s.size - s.offset);
    return n;
  }

  /**
   * Seconds the oldest un-ingested change has waited (0 when all caught up): a file that
   * changed after its last commit and still has bytes waiting.
   */
  lagSeconds(now = Date.now()): number {
    let oldest: number | null = null;
    for (const s of this.sources.values()) {
      if (s.size > s.offset && s.lastChangeAt !== null) {
        if (oldest === null || s.lastChangeAt < oldest) oldest = s.lastChangeAt;
      }
    }
    return oldest === null ? 0 : Math.max(0, (now - oldest) / 1000);
  }
}
