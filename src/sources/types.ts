import type { VigilEvent } from '../core/event.js';

/** Why a line or document was rejected; also the `reason` label of the rejects metric. */
export const REJECT_REASONS = [
  'invalid_json',
  'invalid_utf8',
  'not_an_object',
  'schema',
  'unknown_type',
  'line_too_long',
  'document_too_large',
  'invalid_document',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A rejected input: reported as `file:line: message`, counted by reason, never fatal. */
export interface Reject {
  readonly reason: RejectReason;
  /** Human message naming the field and how to fix it, e.g. `event_id: expected a UUID`. */
  readonly message: string;
  /** The offending field, when one is to blame. */
  readonly field?: string;
}

export type RecordResult =
  | { readonly ok: true; readonly events: readonly VigilEvent[] }
  | { readonly ok: false; readonly reject: Reject };

/** Where a line-oriented record came from. */
export interface LineContext {
  /** Absolute path as read. */
  readonly file: string;
  /**
   * The file's logical stream: the path with rotation suffixes (`.1`, `.2`, `-20260101`)
   * removed, so a rotated copy yields the same derived ids as the original.
   */
  readonly logicalPath: string;
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** The raw line (without its line ending). */
  readonly text: string;
  /** A deterministic id from the logical path, offset and the line's content. */
  deriveId(suffix?: string): string;
}

/** Where a whole-document record came from. */
export interface DocumentContext {
  readonly file: string;
  readonly logicalPath: string;
  /** File modification time, ms since epoch: the timestamp of last resort. */
  readonly mtimeMs: number;
  /**
   * Digest of this path's content the last time it was ingested, or null the first time; lets
   * an adapter tell "changed" (e.g. a board task's `task.updated`) from "first seen".
   */
  readonly previousDigest: string | null;
}

interface AdapterBase {
  /** Short name used by `--format`, in docs and as `source.adapter` (e.g. `kpi`). */
  readonly name: string;
  readonly description: string;
  /**
   * How confident this adapter is that it reads `path`, 0 (no) to 1 (certain), from the path
   * and the first bytes of the file (`head`, up to 4 KiB, may be empty).
   */
  detect(path: string, head: string): number;
}

/**
 * A JSONL adapter: the pipeline splits lines, decodes UTF-8 and parses JSON; the adapter turns
 * one parsed object into zero or more events, or rejects it.
 */
export interface LineAdapter extends AdapterBase {
  readonly mode: 'lines';
  parseRecord(record: Record<string, unknown>, ctx: LineContext): RecordResult;
}

/**
 * A whole-document adapter (JSON reports, YAML task files, Markdown): re-read when it changes,
 * bounded in size; its events carry ids derived from content, so re-reads are idempotent.
 */
export interface DocumentAdapter extends AdapterBase {
  readonly mode: 'document';
  /** Largest document accepted, in bytes. */
  readonly maxBytes: number;
  parseDocument(text: string, ctx: DocumentContext): DocumentResult;
}

export interface DocumentResult {
  readonly events: readonly VigilEvent[];
  /** Per-record rejects inside an otherwise readable document (line may be null). */
  readonly rejects: readonly (Reject & { readonly line: number | null })[];
}

export type SourceAdapter = LineAdapter | DocumentAdapter;
