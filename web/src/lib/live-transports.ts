import { apiToken, apiUrl, getJson } from './api';
import {
  TASK_MESSAGE_TYPES,
  type CostUpdate,
  type LiveEvent,
  type TaskMessage,
  type TaskMessageType,
  type Transport,
} from './live-types';

/** The transports in the order tried: each falls back to the next after failing to open twice. */
const CHAIN: readonly Transport[] = ['websocket', 'sse', 'polling'];
const POLL_INTERVAL_MS = 2_000;
const POLL_PAGE = 1_000;
const PING_INTERVAL_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;

/** Callbacks a transport reports through. */
export interface TransportSink {
  /** Connected; `lastSeq` is the hub's newest sequence when the transport reports it. */
  open(lastSeq?: number): void;
  fail(): void;
  events(events: LiveEvent[]): void;
  task(message: TaskMessage): void;
  cost(update: CostUpdate): void;
}

const isTaskType = (t: string): t is TaskMessageType =>
  (TASK_MESSAGE_TYPES as readonly string[]).includes(t);

/** The WebSocket's task message, rebuilt from a board event (SSE and polling carry only events). */
export function taskMessageOf(event: LiveEvent): TaskMessage | null {
  if (event.kind !== 'board' || !isTaskType(event.event_type)) return null;
  return {
    type: event.event_type,
    data: {
      ...event.attrs,
      id: event.task_id,
      task_id: event.task_id,
      agent: event.agent_role,
      model: event.model,
      event_status: event.status,
      timestamp: event.timestamp,
      event_id: event.event_id,
      seq: event.seq,
    },
  };
}

function openWebSocket(resumeSeq: number | null, sink: TransportSink): () => void {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (resumeSeq !== null) url.searchParams.set('lastSeq', String(resumeSeq));
  const token = apiToken();
  if (token !== null) url.searchParams.set('access_token', token);
  const ws = new WebSocket(url);
  const controller = new AbortController();
  const on = { signal: controller.signal };
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const pingTimer = setInterval(() => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send('{"event":"ping"}');
    pongTimer ??= setTimeout(() => ws.close(), PONG_TIMEOUT_MS);
  }, PING_INTERVAL_MS);
  const stop = () => {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    controller.abort();
  };
  ws.addEventListener(
    'message',
    (m: MessageEvent) => {
      if (typeof m.data !== 'string') return;
      let msg: { event?: string; data?: unknown };
      try {
        msg = JSON.parse(m.data) as typeof msg;
      } catch {
        return;
      }
      const name = msg.event ?? '';
      if (name === 'connection_ack') {
        const ack = msg.data as { lastSeq?: unknown } | undefined;
        sink.open(typeof ack?.lastSeq === 'number' ? ack.lastSeq : undefined);
      } else if (name === 'event') sink.events([msg.data as LiveEvent]);
      else if (isTaskType(name)) sink.task({ type: name, data: msg.data });
      else if (name === 'cost.update') sink.cost(msg.data as CostUpdate);
      else if (name === 'pong') {
        clearTimeout(pongTimer);
        pongTimer = undefined;
      }
    },
    on,
  );
  ws.addEventListener(
    'close',
    () => {
      stop();
      sink.fail();
    },
    on,
  );
  return () => {
    stop();
    ws.close();
  };
}

function openSse(resumeSeq: number | null, sink: TransportSink): () => void {
  const token = apiToken();
  const source = new EventSource(
    apiUrl('/api/events/stream', {
      lastEventId: resumeSeq ?? undefined,
      access_token: token ?? undefined,
    }),
  );
  source.addEventListener('open', () => sink.open());
  source.addEventListener('event', (e: MessageEvent<string>) => {
    try {
      const event = JSON.parse(e.data) as LiveEvent;
      sink.events([event]);
      const task = taskMessageOf(event);
      if (task) sink.task(task);
    } catch {
      // A frame that is not JSON is skipped.
    }
  });
  // EventSource would retry on its own; the connection owns backoff and fallback instead.
  source.addEventListener('error', () => {
    source.close();
    sink.fail();
  });
  return () => source.close();
}

interface CommittedPage {
  events: LiveEvent[];
  last_seq: number;
}

/**
 * Polling: `/api/events/committed?after=<seq>` every 2 s, page after page until caught up, so
 * events arrive in commit order and none is missed.
 */
function startPolling(resumeSeq: number | null, sink: TransportSink): () => void {
  let seen = resumeSeq;
  let stopped = false;
  let opened = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const controller = new AbortController();
  const poll = async () => {
    try {
      if (seen === null) {
        seen = (await getJson<{ lastSeq: number }>('/healthz', undefined, controller.signal))
          .lastSeq;
      }
      let page: CommittedPage;
      do {
        page = await getJson<CommittedPage>(
          '/api/events/committed',
          { after: seen, limit: POLL_PAGE },
          controller.signal,
        );
        if (!opened) {
          opened = true;
          sink.open(page.last_seq);
        }
        const last = page.events[page.events.length - 1];
        if (last) {
          seen = last.seq;
          sink.events(page.events);
          for (const e of page.events) {
            const task = taskMessageOf(e);
            if (task) sink.task(task);
          }
        } else if (page.last_seq < seen) {
          // The hub's store was rebuilt: follow its sequence from here.
          seen = page.last_seq;
        }
      } while (!stopped && page.events.length === POLL_PAGE);
      if (!stopped) timer = setTimeout(() => void poll(), POLL_INTERVAL_MS);
    } catch {
      if (!stopped) sink.fail();
    }
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller.abort();
  };
}

/** Opens a transport; the function returned closes it without reporting a failure. */
export const OPENERS: Record<
  Transport,
  (resume: number | null, sink: TransportSink) => () => void
> = {
  websocket: openWebSocket,
  sse: openSse,
  polling: startPolling,
};

/** The transport asked for with `?transport=sse|polling|websocket` on the page URL, if any. */
export function requestedTransport(): Transport | null {
  const t = new URLSearchParams(location.search).get('transport');
  return t !== null && (CHAIN as readonly string[]).includes(t) ? (t as Transport) : null;
}

export { CHAIN };
