import type { Config } from '../config/config.js';
import type { VigilEvent } from '../core/event.js';
import type { AdapterRegistry } from '../sources/registry.js';
import type { IngestBatchResult, Store } from '../store/types.js';
import { LiveBus } from './bus.js';
import { IngestMonitor } from './ingest-monitor.js';

/** How long a hub write waits for another process's lock (then 503, or a retried tail). */
export const HUB_BUSY_TIMEOUT_MS = 1_000;
/**
 * WAL size that triggers a checkpoint in the hub: small, because live ingest commits often
 * and each checkpoint pauses the event loop for as long as it copies pages.
 */
export const HUB_WAL_CHECKPOINT_BYTES = 4 << 20;
/** SQLite page cache of the hub, KiB: small, so that an idle hub stays small. */
export const HUB_CACHE_KIB = 2048;

/**
 * The running hub: one store, the live bus fed from its commits, and the ingest monitor.
 * Everything `vigil serve` runs (tailer, HTTP routes, streams, metrics) shares one of these.
 *
 * @example
 * const hub = await Hub.open(config, store, registry);
 * hub.bus.subscribe(({ events }) => console.log(events.length));
 */
export class Hub {
  readonly bus: LiveBus;
  readonly monitor = new IngestMonitor();
  readonly startedAt = Date.now();
  /** Connected stream clients, by stream (the streams keep these up to date; /metrics reads). */
  readonly clients = { metricsStream: 0, eventsStream: 0, websocket: 0 };
  /** Stream clients dropped because they stopped reading (their buffer filled). */
  readonly droppedClients = { metricsStream: 0, eventsStream: 0, websocket: 0 };

  private constructor(
    readonly config: Config,
    readonly store: Store,
    readonly registry: AdapterRegistry,
  ) {
    this.bus = new LiveBus((error) =>
      this.monitor.error(`live listener failed: ${(error as Error).message ?? String(error)}`),
    );
  }

  static async open(config: Config, store: Store, registry: AdapterRegistry): Promise<Hub> {
    const hub = new Hub(config, store, registry);
    hub.bus.startAt(await store.lastSeq());
    return hub;
  }

  /** Records a committed batch and publishes its new events on the bus. */
  readonly onCommit = (result: IngestBatchResult): void => {
    this.monitor.committed(result);
    if (result.firstSeq !== null && result.inserted > 0) {
      this.bus.publish({ firstSeq: result.firstSeq, events: result.committed });
    }
  };

  /** Stores events (deduplicated by id) in one transaction, then publishes what was new. */
  async ingestEvents(events: readonly VigilEvent[]): Promise<IngestBatchResult> {
    const result = await this.store.ingest({ events, checkpoints: [] });
    this.onCommit(result);
    return result;
  }
}
