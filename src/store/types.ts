import type { EncodedEvents } from '../core/encoded.js';
import type { EventKind, EventStatus, VigilEvent } from '../core/event.js';
import type { RollupCounters } from '../core/rollup.js';
import type { TaskState } from '../core/tasks.js';

/** Where a file was read up to. Committed in the same transaction as its events. */
export interface Checkpoint {
  /** Absolute path the file was read at. */
  path: string;
  adapter: string;
  dev: number;
  ino: number;
  /** Bytes consumed: the offset just past the last complete line ingested. */
  offset: number;
  /** Size of the file when the checkpoint was taken. */
  size: number;
  /** Digest of the file's first `headLength` bytes: its identity beyond (dev, ino). */
  headDigest: string;
  headLength: number;
  /** Lines read so far (for line numbers on resume). */
  lines: number;
  /** Digest of the whole content, for document sources. */
  contentDigest: string | null;
  updatedAt: number;
}

/**
 * One unit of ingest: stored atomically, all or nothing. Events come as objects or already
 * encoded (`encodeEvents`, e.g. by a parsing worker); give one of the two.
 */
export interface IngestBatch {
  events?: readonly VigilEvent[];
  encoded?: EncodedEvents;
  checkpoints: readonly Checkpoint[];
  /**
   * About how many events this batch and the ones after it in the same ingest hold (an
   * estimate): lets a store size its indexes once instead of growing them step by step.
   */
  expectedEvents?: number;
}

export interface IngestBatchResult {
  inserted: number;
  /** Events whose id was already stored (skipped, not errors). */
  duplicates: number;
  /** Duplicates whose body differed from the stored one (same id, different content). */
  conflicts: number;
  /** The newly stored events, in commit order (for the live bus). */
  committed: readonly VigilEvent[];
  /**
   * Commit sequence of the first of `committed` (the rest follow one by one), or null when
   * nothing was stored. Sequences only grow and are never reused: streams resume from them.
   */
  firstSeq: number | null;
}

/** A stored event with its commit sequence. */
export interface SequencedEvent {
  seq: number;
  event: VigilEvent;
}

/** Filters shared by event queries; every field is optional and they combine with AND. */
export interface EventFilter {
  types?: readonly string[];
  kinds?: readonly EventKind[];
  sessionId?: string;
  taskId?: string;
  phase?: string;
  agentRole?: string;
  /** The event's model, or for an event without one, its task's model (the task join). */
  model?: string;
  status?: EventStatus;
  adapter?: string;
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
  /**
   * Free text: a case-insensitive (ASCII) substring of the message, the attrs as JSON, the type,
   * or the task, session, model, phase or agent role.
   */
  text?: string;
}

export interface EventQuery extends EventFilter {
  /** Newest first when true (the default for `latest`). */
  descending?: boolean;
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface EventPage {
  events: VigilEvent[];
  nextCursor: string | null;
}

/** Per-model aggregates over a time range: the raw material of `summary`. */
export interface ModelAggregate extends RollupCounters {
  /** Model name; '' when events carried none. */
  model: string;
}

export interface AggregateQuery {
  since: number;
  until: number;
  model?: string;
}

export interface SessionInfo {
  sessionId: string;
  firstTs: number;
  lastTs: number;
  eventCount: number;
  /** Status of the latest session-kind event (started, success, failure, cancelled), if any. */
  status: EventStatus | null;
  models: string[];
  adapters: string[];
  tokensIn: number;
  tokensOut: number;
}

export interface SessionSummary extends SessionInfo {
  countsByKind: Partial<Record<EventKind, number>>;
  countsByType: Record<string, number>;
  tasks: { total: number; success: number; failure: number; incomplete: number };
  phases: string[];
}

export interface SessionQuery {
  since?: number;
  until?: number;
  limit?: number;
}

export interface MaintenanceResult {
  events: number;
  tasks: number;
  sessions: number;
}

/**
 * The store contract. Every backend (SQLite now, PostgreSQL next) passes the same contract
 * suite in src/store/contract/.
 */
export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** Stores a batch atomically: events (deduplicated by id), rollups and checkpoints. */
  ingest(batch: IngestBatch): Promise<IngestBatchResult>;
  getCheckpoint(path: string): Promise<Checkpoint | null>;
  /** The checkpoint of a file with this (dev, ino), under any path (rename detection). */
  findCheckpointByInode(dev: number, ino: number): Promise<Checkpoint | null>;
  listCheckpoints(): Promise<Checkpoint[]>;
  /** Events committed after sequence `seq`, in commit order, at most `limit`. */
  eventsAfter(seq: number, limit: number): Promise<SequencedEvent[]>;
  /** The sequence of the last committed event (0 when none). */
  lastSeq(): Promise<number>;
  /** True when events read from this file are stored (whether or not it has a checkpoint). */
  hasEventsFrom(path: string): Promise<boolean>;
  queryEvents(query: EventQuery): Promise<EventPage>;
  /** Streams every matching event in time order, in bounded memory. */
  iterateEvents(filter: EventFilter): AsyncIterable<VigilEvent>;
  countEvents(filter: EventFilter): Promise<number>;
  /** Distinct event types with counts, for `vigil events --types`. */
  countByType(filter: EventFilter): Promise<{ type: string; kind: EventKind; count: number }[]>;
  getTask(taskId: string): Promise<TaskState | null>;
  aggregateByModel(query: AggregateQuery): Promise<ModelAggregate[]>;
  /** Earliest and latest event timestamps, or null when empty. */
  timeRange(): Promise<{ first: number; last: number } | null>;
  listSessions(query: SessionQuery): Promise<SessionInfo[]>;
  getSession(sessionId: string): Promise<SessionSummary | null>;
  /** Deletes events older than `before` (and what only they made), atomically. */
  prune(before: number, options: { dryRun: boolean }): Promise<MaintenanceResult>;
  /**
   * Rewrites one text field of every stored event through `rewrite`, atomically. Returns how
   * many events changed.
   */
  rewriteField(
    field: SanitizableField,
    rewrite: (value: string) => string | null,
    options: { dryRun: boolean },
  ): Promise<{ scanned: number; changed: number }>;
  /** Database integrity and invariant check (counts match, rollups match events). */
  checkIntegrity(): Promise<{ ok: boolean; problems: string[] }>;
  close(): Promise<void>;
}

/** Text fields `sanitize --field` can rewrite. `error_message` is the KPI name for `message`. */
export const SANITIZABLE_FIELDS = ['message', 'attrs'] as const;
export type SanitizableField = (typeof SANITIZABLE_FIELDS)[number];
