import { useConnection, type ConnectionState, type Transport } from '../lib/live';

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const TRANSPORT_TEXT: Record<Transport, string> = {
  websocket: 'WebSocket',
  sse: 'SSE',
  polling: 'polling',
};

/** The live connection's state and transport (`[data-testid=connection]`). */
export function ConnectionIndicator() {
  const { state, transport } = useConnection();
  const text = STATE_TEXT[state];
  return (
    <div
      class="connection"
      data-testid="connection"
      data-state={state}
      data-transport={transport}
      role="status"
      aria-live="polite"
      title={`Live updates: ${text.replace('…', '')} over ${TRANSPORT_TEXT[transport]}`}
    >
      <span class="connection-dot" aria-hidden="true" />
      <span class="connection-text">
        {text}
        {state === 'live' && (
          <span class="connection-transport"> · {TRANSPORT_TEXT[transport]}</span>
        )}
      </span>
    </div>
  );
}
