import { getJson } from './api';
import type { ConnectionState, CostUpdate, LiveEvent, TaskMessage, Transport } from './live-types';
import { CHAIN, OPENERS, requestedTransport, type TransportSink } from './live-transports';

const FAILURES_BEFORE_FALLBACK = 2;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** After this many failed attempts in a row the indicator says offline (retries go on). */
const ATTEMPTS_BEFORE_OFFLINE = 6;
/** A fallback transport tries the preferred one again after this long. */
const UPGRADE_AFTER_MS = 5 * 60_000;
/** Missed more events than this while away: resume from the newest; views refetch instead. */
const MAX_REPLAY = 5_000;
const FLUSH_MS = 100;
const TICK_MS = 1_000;

type Listener<T> = (value: T) => void;

/**
 * The page's one live connection: the WebSocket, falling back to SSE and then to polling after
 * two failed opens each; reconnects with exponential backoff and jitter and resumes from the
 * last sequence seen, so events committed while away arrive once, in order. Events are handed
 * to listeners in batches; `tick` grows (at most once a second) after each batch.
 */
export class LiveConnection {
  state: ConnectionState = 'connecting';
  transport: Transport;
  /** The sequence of the latest event received (null before the first). */
  lastSeq: number | null = null;
  tick = 0;
  cost: CostUpdate | undefined;

  private readonly first: Transport;
  private readonly stateListeners = new Set<() => void>();
  private readonly eventListeners = new Set<Listener<LiveEvent[]>>();
  private readonly taskListeners = new Set<Listener<TaskMessage>>();
  private readonly costListeners = new Set<Listener<CostUpdate>>();
  private readonly tickListeners = new Set<Listener<number>>();
  private started = false;
  private everOpen = false;
  private attempt = 0;
  private transportFailures = 0;
  private close: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private upgradeTimer: ReturnType<typeof setTimeout> | undefined;
  private pending: LiveEvent[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTickAt = 0;

  constructor() {
    this.first = requestedTransport() ?? 'websocket';
    this.transport = this.first;
  }

  /** Opens the connection once; later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('offline', () => this.setState('offline'));
    void this.open();
  }

  onState(fn: () => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }
  onEvents(fn: Listener<LiveEvent[]>): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }
  onTask(fn: Listener<TaskMessage>): () => void {
    this.taskListeners.add(fn);
    return () => this.taskListeners.delete(fn);
  }
  onCost(fn: Listener<CostUpdate>): () => void {
    this.costListeners.add(fn);
    return () => this.costListeners.delete(fn);
  }
  onTick(fn: Listener<number>): () => void {
    this.tickListeners.add(fn);
    return () => this.tickListeners.delete(fn);
  }

  private shown = '';

  /** Sets the state and tells listeners when it or the transport changed. */
  private setState(state: ConnectionState): void {
    this.state = state;
    const key = `${state}/${this.transport}`;
    if (key === this.shown) return;
    this.shown = key;
    for (const fn of this.stateListeners) fn();
  }

  private async open(): Promise<void> {
    let resume = this.lastSeq;
    if (resume !== null || this.transport !== 'websocket') {
      // SSE and polling learn the newest sequence here (the WebSocket's ack carries it). Far
      // behind, or ahead of a rebuilt store, resume from the newest: views refetch anyway.
      try {
        const health = await getJson<{ lastSeq: number }>('/healthz');
        if (resume === null || health.lastSeq - resume > MAX_REPLAY || health.lastSeq < resume) {
          resume = health.lastSeq;
        }
      } catch {
        // The hub is unreachable: the transport will fail and back off.
      }
    }
    if (resume !== null) this.lastSeq = resume;
    const transport = this.transport;
    let opened = false;
    let done = false;
    const sink: TransportSink = {
      open: (lastSeq) => {
        if (done || opened) return;
        opened = true;
        if (this.lastSeq === null && lastSeq !== undefined) this.lastSeq = lastSeq;
        const reopened = this.everOpen;
        this.everOpen = true;
        this.attempt = 0;
        this.transportFailures = 0;
        this.setState('live');
        if (transport !== this.first) this.scheduleUpgrade();
        // Views refetch after a reconnect: whatever was replayed, the hub may have been rebuilt.
        if (reopened) this.bumpTick(true);
      },
      fail: () => {
        if (done) return;
        done = true;
        this.close = null;
        this.failed(opened);
      },
      events: (events) => {
        if (done) return;
        const last = events[events.length - 1];
        if (last) this.lastSeq = last.seq;
        this.pending.push(...events);
        this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
      },
      task: (message) => {
        if (!done) for (const fn of this.taskListeners) fn(message);
      },
      cost: (update) => {
        if (done) return;
        this.cost = update;
        for (const fn of this.costListeners) fn(update);
      },
    };
    const close = OPENERS[transport](resume, sink);
    this.close = () => {
      done = true;
      close();
    };
  }

  private failed(wasOpen: boolean): void {
    clearTimeout(this.upgradeTimer);
    if (wasOpen) {
      this.retry();
      return;
    }
    // A transport that cannot open while the hub answers is blocked (a proxy, say): after two
    // tries the next one takes over. When the hub itself is away, keep the transport.
    void getJson('/healthz').then(
      () => {
        this.transportFailures += 1;
        const next = CHAIN[CHAIN.indexOf(this.transport) + 1];
        if (this.transportFailures >= FAILURES_BEFORE_FALLBACK) {
          this.transport = next ?? this.first;
          this.transportFailures = 0;
        }
        this.retry();
      },
      () => this.retry(),
    );
  }

  private retry(): void {
    this.attempt += 1;
    const offline = !navigator.onLine || this.attempt >= ATTEMPTS_BEFORE_OFFLINE;
    this.setState(offline ? 'offline' : this.everOpen ? 'reconnecting' : 'connecting');
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.attempt - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  private reconnectNow(): void {
    clearTimeout(this.retryTimer);
    if (this.state === 'live') return;
    this.close?.();
    this.close = null;
    this.attempt = 0;
    void this.open();
  }

  private scheduleUpgrade(): void {
    clearTimeout(this.upgradeTimer);
    this.upgradeTimer = setTimeout(() => {
      this.close?.();
      this.close = null;
      this.transport = this.first;
      this.transportFailures = 0;
      this.setState('reconnecting');
      void this.open();
    }, UPGRADE_AFTER_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    for (const fn of this.eventListeners) fn(batch);
    this.bumpTick(false);
  }

  /** Grows `tick` at most once per TICK_MS, with a trailing bump so the last batch counts. */
  private bumpTick(now: boolean): void {
    const wait = this.lastTickAt + TICK_MS - Date.now();
    if (now || wait <= 0) {
      clearTimeout(this.tickTimer);
      this.tickTimer = undefined;
      this.lastTickAt = Date.now();
      this.tick += 1;
      for (const fn of this.tickListeners) fn(this.tick);
      return;
    }
    this.tickTimer ??= setTimeout(() => this.bumpTick(true), wait);
  }
}
