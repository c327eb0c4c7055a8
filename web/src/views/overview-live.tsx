import { useState } from 'preact/hooks';

import { formatNumber, formatTime, formatUsd } from '../lib/format';
import { useConnection, useCostUpdate, useLiveEvents, type LiveEvent } from '../lib/live';

const TERMINAL = new Set(['success', 'failure', 'timeout', 'skipped', 'cancelled']);

interface Counters {
  events: number;
  tasksEnded: number;
  failures: number;
  tokens: number;
  costReported: number;
  last: LiveEvent | null;
}

const ZERO: Counters = {
  events: 0,
  tasksEnded: 0,
  failures: 0,
  tokens: 0,
  costReported: 0,
  last: null,
};

/** Folds a batch of live events into the counters. */
function fold(c: Counters, events: readonly LiveEvent[]): Counters {
  const next = { ...c, events: c.events + events.length };
  for (const e of events) {
    if (e.kind === 'task' && e.status !== null && TERMINAL.has(e.status)) {
      next.tasksEnded += 1;
      if (e.status === 'failure' || e.status === 'timeout') next.failures += 1;
    }
    next.tokens += (e.tokens_input ?? 0) + (e.tokens_output ?? 0);
    next.costReported += e.cost_usd ?? 0;
  }
  next.last = events[events.length - 1] ?? c.last;
  return next;
}

/**
 * Live counters: what arrived since this page opened (events, tasks ended, tokens, reported
 * cost), the latest event, and today's totals from the WebSocket's `cost.update`.
 */
export function LiveCounters() {
  const [counters, setCounters] = useState(ZERO);
  const { state } = useConnection();
  const cost = useCostUpdate();
  useLiveEvents((events) => setCounters((c) => fold(c, events)));
  const item = (name: string, label: string, value: string) => (
    <>
      <dt>{label}</dt>
      <dd data-live-counter={name}>{value}</dd>
    </>
  );
  return (
    <div class="card" data-testid="live-counters">
      <h2>
        Live <span class={`badge ${state === 'live' ? 'ok' : 'warn'}`}>{state}</span>
      </h2>
      <p class="muted">Since this page opened:</p>
      <dl class="kv">
        {item('events', 'Events', formatNumber(counters.events))}
        {item('tasks_ended', 'Tasks ended', formatNumber(counters.tasksEnded))}
        {item('failures', 'Failed or timed out', formatNumber(counters.failures))}
        {item('tokens', 'Tokens', formatNumber(counters.tokens))}
        {item('cost_reported', 'Cost reported', formatUsd(counters.costReported))}
        {item(
          'last_event',
          'Latest event',
          counters.last
            ? `${counters.last.event_type} · ${formatTime(counters.last.timestamp)}`
            : 'none yet',
        )}
      </dl>
      {cost && (
        <>
          <p class="muted">Today (hub time):</p>
          <dl class="kv">
            {item('cost_today', 'Cost (estimate)', formatUsd(cost.today.cost_usd))}
            {item('tokens_today', 'Tokens', formatNumber(cost.today.total_tokens))}
            {item('cost_all_time', 'Cost all time', formatUsd(cost.all_time.cost_usd))}
          </dl>
        </>
      )}
    </div>
  );
}
