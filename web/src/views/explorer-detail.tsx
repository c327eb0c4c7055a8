import type { ComponentChildren } from 'preact';

import { formatDurationMs, formatNumber, formatTime, formatUsd } from '../lib/format';
import type { LiveEvent } from '../lib/live';
import { SafeLink, safeHref } from '../lib/safe-link';
import { buildHash, Panel } from '../lib/view';

/** An event in export form, as `/api/events` returns it; live ones also carry `seq`. */
export type EventRecord = Omit<LiveEvent, 'seq'> & { seq?: number };

/** A page of events, as `/api/events` and a session's timeline answer it. */
export interface EventPage {
  events: EventRecord[];
  next_cursor: string | null;
}

/** The badge tone of a normalised status: good, bad, a warning, or neutral. */
export function statusTone(status: string | null | undefined): '' | 'ok' | 'bad' | 'warn' {
  switch (status) {
    case 'success':
    case 'approved':
    case 'closed':
      return 'ok';
    case 'failure':
    case 'timeout':
    case 'blocked':
    case 'rejected':
    case 'abandoned':
      return 'bad';
    case 'warned':
    case 'retrying':
    case 'skipped':
    case 'cancelled':
    case 'revoked':
      return 'warn';
    default:
      return '';
  }
}

/** A status as a badge (`—` when there is none). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (status === null || status === undefined || status === '') return <span class="muted">—</span>;
  const tone = statusTone(status);
  return (
    <span class={tone ? `badge ${tone}` : 'badge'} data-status={status}>
      {status}
    </span>
  );
}

/** Shortens event text for a table cell; the full text stays in the title and the detail. */
export function clip(text: string | null | undefined, max = 120): string {
  if (text === null || text === undefined) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const MAX_LINKS = 20;

/** The http(s) URLs among an event's attribute values (nested), with their key paths. */
export function linksOf(attrs: unknown): { path: string; href: string }[] {
  const out: { path: string; href: string }[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (out.length >= MAX_LINKS || depth > 5) return;
    if (typeof value === 'string') {
      const href = safeHref(value);
      if (href !== null && /^https?:\/\//i.test(value.trim())) out.push({ path, href });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(attrs, '', 0);
  return out;
}

/** Event fields that can become a filter of the explorer, by URL parameter. */
const FILTERABLE: Partial<Record<keyof EventRecord, string>> = {
  event_type: 'type',
  kind: 'kind',
  status: 'status',
  task_id: 'task',
  session_id: 'session',
  phase: 'phase',
  agent_role: 'role',
  model: 'model',
  source_adapter: 'adapter',
};

/** A link to the explorer filtered by one field (the time range is kept). */
export function explorerHref(param: string, value: string, keep?: Record<string, string>): string {
  return buildHash('explorer', [], {
    since: keep?.['since'],
    until: keep?.['until'],
    [param]: value,
  });
}

interface EventDetailProps {
  event: EventRecord;
  onClose(): void;
  /** Filters the current view by a field; without it, fields link to the explorer. */
  onFilter?: (param: string, value: string) => void;
  /** URL parameters kept in links to the explorer (the time range). */
  keep?: Record<string, string>;
}

/**
 * One event's every field in a side panel (`[data-testid=event-detail]`): context fields can
 * filter by their value, the session links to its timeline, attrs are shown as pretty JSON
 * (text, escaped by JSX) and their http(s) URLs as links.
 */
export function EventDetail({ event: e, onClose, onFilter, keep }: EventDetailProps) {
  const field = (key: keyof EventRecord, label: string, shown?: ComponentChildren) => {
    const raw = e[key];
    const value: ComponentChildren =
      shown ?? (raw === null || raw === undefined || raw === '' ? '—' : String(raw as string));
    const param = FILTERABLE[key];
    const filterable = param !== undefined && typeof raw === 'string' && raw !== '';
    return (
      <>
        <dt>{label}</dt>
        <dd data-field={key}>
          {value}
          {filterable &&
            (onFilter ? (
              <>
                {' '}
                <button
                  type="button"
                  class="link-button"
                  data-filter-by={param}
                  onClick={() => onFilter(param, raw)}
                >
                  filter
                </button>
              </>
            ) : (
              <>
                {' '}
                <a href={explorerHref(param, raw, keep)} data-filter-by={param}>
                  filter
                </a>
              </>
            ))}
        </dd>
      </>
    );
  };
  const links = linksOf(e.attrs);
  const tokens = [e.tokens_input, e.tokens_output, e.tokens_cache_read, e.tokens_cache_write];
  return (
    <Panel title={e.event_type} testId="event-detail" onClose={onClose}>
      <dl class="kv">
        {field('event_id', 'Event id', <span class="mono">{e.event_id}</span>)}
        {e.seq !== undefined && field('seq', 'Sequence')}
        {field('timestamp', 'Time', formatTime(e.timestamp))}
        {field('event_type', 'Type')}
        {field('kind', 'Kind')}
        {field('status', 'Status', <StatusBadge status={e.status} />)}
        {field('error_message', 'Message')}
        {field(
          'session_id',
          'Session',
          e.session_id === null ? undefined : (
            <a href={buildHash('sessions', [e.session_id])} data-session-link>
              {e.session_id}
            </a>
          ),
        )}
        {field('task_id', 'Task')}
        {field('phase', 'Phase')}
        {field('agent_role', 'Agent role')}
        {field('model', 'Model')}
        {field(
          'duration_seconds',
          'Duration',
          e.duration_seconds === null ? undefined : formatDurationMs(e.duration_seconds * 1000),
        )}
        {field(
          'tokens_input',
          'Tokens in',
          tokens[0] === null ? undefined : formatNumber(tokens[0]),
        )}
        {field(
          'tokens_output',
          'Tokens out',
          tokens[1] === null ? undefined : formatNumber(tokens[1]),
        )}
        {field(
          'tokens_cache_read',
          'Cache read',
          tokens[2] === null ? undefined : formatNumber(tokens[2]),
        )}
        {field(
          'tokens_cache_write',
          'Cache write',
          tokens[3] === null ? undefined : formatNumber(tokens[3]),
        )}
        {field(
          'cost_usd',
          'Cost (reported)',
          e.cost_usd === null ? undefined : formatUsd(e.cost_usd),
        )}
        {field('source_adapter', 'Adapter')}
        {field('source_file', 'Source file', <span class="mono">{e.source_file ?? '—'}</span>)}
        {field('source_line', 'Line')}
      </dl>
      {links.length > 0 && (
        <>
          <h3>Links</h3>
          <ul data-testid="event-links">
            {links.map((l) => (
              <li key={l.path}>
                <span class="muted">{l.path}: </span>
                <SafeLink href={l.href}>{l.href}</SafeLink>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Attributes</h3>
      <pre class="json" data-testid="event-attrs">
        {JSON.stringify(e.attrs ?? {}, null, 2)}
      </pre>
    </Panel>
  );
}
