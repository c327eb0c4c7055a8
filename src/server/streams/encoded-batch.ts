import type { VigilEvent } from '../../core/event.js';
import type { LiveBatch } from '../../live/bus.js';
import { eventToExport } from '../../output/event-json.js';
import type { SequencedEvent } from '../../store/types.js';
import { matchesFilter, type StreamFilter } from './stream-filter.js';

/** Seed 004's WebSocket event names, by board event type. */
export const BOARD_MESSAGE_NAMES: ReadonlySet<string> = new Set([
  'task.created',
  'task.assigned',
  'task.completed',
  'task.updated',
]);

/**
 * The task payload of a seed-004 message: the task file's fields as the board adapter kept them
 * (`attrs`: title, description, column, assignee, priority, status, tags, estimates, unknown
 * fields), plus the task id, agent, model and where the event sits in the stream.
 */
export function boardTaskPayload(seq: number, e: VigilEvent): Record<string, unknown> {
  return {
    ...e.attrs,
    id: e.taskId,
    task_id: e.taskId,
    agent: e.agentRole,
    model: e.model,
    event_status: e.status,
    timestamp: new Date(e.ts).toISOString(),
    event_id: e.id,
    seq,
  };
}

/**
 * One batch of committed events, serialized lazily and at most once whatever the number of
 * clients: every SSE client and WebSocket shares the same bytes.
 *
 * @example
 * const batch = EncodedBatch.fromLive({ firstSeq: 8, events });
 * sseClient.write(batch.sseAfter(7, null)); // every frame, one shared Buffer
 */
export class EncodedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  private readonly json: (string | undefined)[];
  private readonly sseFrames: (Buffer | undefined)[];
  private readonly wsFrames: (Buffer[] | undefined)[];
  private sseAll: Buffer | undefined;

  private constructor(readonly items: readonly SequencedEvent[]) {
    this.firstSeq = items[0]?.seq ?? 0;
    this.lastSeq = items.at(-1)?.seq ?? 0;
    this.json = new Array<string | undefined>(items.length);
    this.sseFrames = new Array<Buffer | undefined>(items.length);
    this.wsFrames = new Array<Buffer[] | undefined>(items.length);
  }

  static fromLive(batch: LiveBatch): EncodedBatch {
    return new EncodedBatch(batch.events.map((event, i) => ({ seq: batch.firstSeq + i, event })));
  }

  /** A page read from the store (sequences ascending). */
  static fromStored(page: readonly SequencedEvent[]): EncodedBatch {
    return new EncodedBatch(page);
  }

  get size(): number {
    return this.items.length;
  }

  /** The event in export form plus `seq`, as one line of JSON (newlines and CRs escaped). */
  eventJson(i: number): string {
    let s = this.json[i];
    if (s === undefined) {
      const item = this.items[i] as SequencedEvent;
      s = JSON.stringify({ seq: item.seq, ...eventToExport(item.event) });
      this.json[i] = s;
    }
    return s;
  }

  /** One SSE frame: `id`, `event: event` and a single `data:` line. */
  sseFrame(i: number): Buffer {
    let b = this.sseFrames[i];
    if (b === undefined) {
      const seq = (this.items[i] as SequencedEvent).seq;
      b = Buffer.from(`id: ${seq}\nevent: event\ndata: ${this.eventJson(i)}\n\n`);
      this.sseFrames[i] = b;
    }
    return b;
  }

  /**
   * The SSE frames of the events after `afterSeq` that pass `filter`, as one chunk; null when
   * none do. A client that takes the whole batch unfiltered gets the shared buffer.
   */
  sseAfter(afterSeq: number, filter: StreamFilter | null): Buffer | null {
    if (filter === null && afterSeq < this.firstSeq) {
      this.sseAll ??= Buffer.concat(this.items.map((_, i) => this.sseFrame(i)));
      return this.sseAll.length > 0 ? this.sseAll : null;
    }
    const parts: Buffer[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i] as SequencedEvent;
      if (item.seq <= afterSeq) continue;
      if (filter !== null && !matchesFilter(filter, item.event)) continue;
      parts.push(this.sseFrame(i));
    }
    return parts.length === 0
      ? null
      : parts.length === 1
        ? (parts[0] as Buffer)
        : Buffer.concat(parts);
  }

  /**
   * The WebSocket messages of event `i`: seed 004's named message for board events
   * (`task.created`, ...), then the generic `event` message.
   */
  wsMessages(i: number): Buffer[] {
    let frames = this.wsFrames[i];
    if (frames === undefined) {
      const item = this.items[i] as SequencedEvent;
      frames = [];
      if (item.event.kind === 'board' && BOARD_MESSAGE_NAMES.has(item.event.type)) {
        frames.push(
          Buffer.from(
            JSON.stringify({
              event: item.event.type,
              data: boardTaskPayload(item.seq, item.event),
            }),
          ),
        );
      }
      frames.push(Buffer.from(`{"event":"event","data":${this.eventJson(i)}}`));
      this.wsFrames[i] = frames;
    }
    return frames;
  }
}
