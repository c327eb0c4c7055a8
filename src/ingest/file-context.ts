import type { EncodedEvents } from '../core/encoded.js';
import type { VigilEvent } from '../core/event.js';
import type { RejectReason } from '../sources/types.js';
import type { Checkpoint } from '../store/types.js';

/** How many bytes of a file's start identify it (with its device and inode). */
export const HEAD_BYTES = 4096;

/** Reports one rejected line or record. */
export type RejectFn = (line: number | null, reason: RejectReason, message: string) => void;
/** Stores a batch with its checkpoint, in one transaction. */
export type CommitFn = (
  events: readonly VigilEvent[] | EncodedEvents,
  checkpoint: Checkpoint,
  /** See IngestBatch.expectedEvents. */
  expectedEvents?: number,
) => Promise<void>;
/** What a file was when it was opened. */
export interface Identity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}
