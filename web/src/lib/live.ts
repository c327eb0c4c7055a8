import { useEffect, useRef, useState } from 'preact/hooks';

import { LiveConnection } from './live-connection';
import type { ConnectionState, CostUpdate, LiveEvent, TaskMessage, Transport } from './live-types';

export type {
  ConnectionState,
  CostTotals,
  CostUpdate,
  LiveEvent,
  TaskMessage,
  TaskMessageType,
  Transport,
} from './live-types';
export { taskMessageOf } from './live-transports';

let shared: LiveConnection | undefined;

/** The page's one live connection, opened on first use. */
export function liveConnection(): LiveConnection {
  if (shared === undefined) {
    shared = new LiveConnection();
    shared.start();
  }
  return shared;
}

/**
 * The live connection's state and transport, for the connection indicator.
 *
 * @example
 * const { state, transport } = useConnection(); // { state: 'live', transport: 'websocket' }
 */
export function useConnection(): { state: ConnectionState; transport: Transport } {
  const live = liveConnection();
  const [value, setValue] = useState({ state: live.state, transport: live.transport });
  useEffect(() => {
    const update = () => setValue({ state: live.state, transport: live.transport });
    update();
    return live.onState(update);
  }, [live]);
  return value;
}

/** Keeps a callback's latest version without resubscribing on every render. */
function useLatest<T>(value: T): { current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

/**
 * Calls `onEvents` with each batch of newly committed events (in sequence order), from
 * whichever transport is in use; events missed during a reconnect are replayed first.
 *
 * @example
 * useLiveEvents((events) => setFeed((feed) => [...events.reverse(), ...feed].slice(0, 500)));
 */
export function useLiveEvents(onEvents: (events: LiveEvent[]) => void): void {
  const latest = useLatest(onEvents);
  useEffect(() => liveConnection().onEvents((events) => latest.current(events)), [latest]);
}

/**
 * A number that grows after new events commit (at most about once a second): put it in an
 * effect's dependencies to refresh data live. `useApi` does this by itself.
 */
export function useLiveTick(): number {
  const live = liveConnection();
  const [tick, setTick] = useState(live.tick);
  useEffect(() => live.onTick(setTick), [live]);
  return tick;
}

/**
 * Calls `onTask` for each task-board message (`task.created`, `task.assigned`,
 * `task.completed`, `task.updated`). Over the WebSocket they come from the hub; over SSE and
 * polling they are rebuilt from board events with the same fields.
 */
export function useTaskEvents(onTask: (msg: TaskMessage) => void): void {
  const latest = useLatest(onTask);
  useEffect(() => liveConnection().onTask((msg) => latest.current(msg)), [latest]);
}

/** The latest `cost.update` (cost and tokens today and all time); WebSocket only. */
export function useCostUpdate(): CostUpdate | undefined {
  const live = liveConnection();
  const [cost, setCost] = useState(live.cost);
  useEffect(() => live.onCost(setCost), [live]);
  return cost;
}
