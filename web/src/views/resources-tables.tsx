import { formatNumber, formatPercent, formatTime } from '../lib/format';
import type { Column } from '../lib/view';
import type { ProviderCapacity, ProviderWindow, ResourceSample } from './resources-types';

/** A percentage as reported (already 0-100). */
export const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);
const used = (value: number | null, limit: number | null) =>
  value === null
    ? '—'
    : limit === null
      ? formatNumber(value)
      : `${formatNumber(value)} / ${formatNumber(limit)}`;

function Utilisation({ w }: { w: ProviderWindow }) {
  if (w.utilisation === null) return <span class="muted">—</span>;
  const tone =
    w.utilisation >= 0.9 ? 'badge bad' : w.utilisation >= 0.75 ? 'badge warn' : 'badge ok';
  return <span class={tone}>{formatPercent(w.utilisation)}</span>;
}

/** Provider usage against its hourly and daily limits. */
export const PROVIDER_COLUMNS: Column<ProviderCapacity>[] = [
  { key: 'provider', label: 'Provider' },
  { key: 'snapshot_at', label: 'Snapshot', render: (p) => formatTime(p.snapshot_at) },
  {
    key: 'hour_requests',
    label: 'Requests (hour)',
    numeric: true,
    render: (p) => used(p.hour.requests, p.hour.request_limit),
    sortValue: (p) => p.hour.requests ?? -1,
  },
  {
    key: 'hour_tokens',
    label: 'Tokens (hour)',
    numeric: true,
    render: (p) => used(p.hour.tokens, p.hour.token_limit),
    sortValue: (p) => p.hour.tokens ?? -1,
  },
  {
    key: 'hour_util',
    label: 'Hour',
    numeric: true,
    render: (p) => <Utilisation w={p.hour} />,
    sortValue: (p) => p.hour.utilisation ?? -1,
  },
  {
    key: 'day_requests',
    label: 'Requests (day)',
    numeric: true,
    render: (p) => used(p.day.requests, p.day.request_limit),
    sortValue: (p) => p.day.requests ?? -1,
  },
  {
    key: 'day_tokens',
    label: 'Tokens (day)',
    numeric: true,
    render: (p) => used(p.day.tokens, p.day.token_limit),
    sortValue: (p) => p.day.tokens ?? -1,
  },
  {
    key: 'day_util',
    label: 'Day',
    numeric: true,
    render: (p) => <Utilisation w={p.day} />,
    sortValue: (p) => p.day.utilisation ?? -1,
  },
  {
    key: 'percentage_used',
    label: 'Used (reported)',
    numeric: true,
    render: (p) => pct(p.percentage_used),
  },
  {
    key: 'warnings',
    label: 'Warnings',
    render: (p) => {
      const warn = [
        p.approaching_hourly_limit ? 'hourly limit near' : null,
        p.approaching_daily_limit ? 'daily limit near' : null,
      ].filter((w) => w !== null);
      return warn.length === 0 ? (
        <span class="muted">—</span>
      ) : (
        <span class="badge warn">{warn.join(', ')}</span>
      );
    },
    sortValue: (p) =>
      Number(p.approaching_hourly_limit === true) + Number(p.approaching_daily_limit === true),
  },
];

/** The latest resource sample per host and process. */
export const SAMPLE_COLUMNS: Column<ResourceSample>[] = [
  { key: 'at', label: 'Time', render: (s) => formatTime(s.at) },
  { key: 'host', label: 'Host' },
  { key: 'process', label: 'Process' },
  { key: 'pid', label: 'PID', numeric: true },
  { key: 'cpu_pct', label: 'CPU', numeric: true, render: (s) => pct(s.cpu_pct) },
  {
    key: 'memory_mb',
    label: 'Memory',
    numeric: true,
    render: (s) => (s.memory_mb === null ? '—' : `${formatNumber(s.memory_mb)} MB`),
  },
  { key: 'memory_pct', label: 'Memory %', numeric: true, render: (s) => pct(s.memory_pct) },
  {
    key: 'rss_mb',
    label: 'RSS',
    numeric: true,
    render: (s) => (s.rss_mb === null ? '—' : `${formatNumber(s.rss_mb)} MB`),
  },
  { key: 'disk_pct', label: 'Disk', numeric: true, render: (s) => pct(s.disk_pct) },
  {
    key: 'load',
    label: 'Load 1 / 5 / 15',
    numeric: true,
    render: (s) =>
      [s.load_avg_1m, s.load_avg_5m, s.load_avg_15m]
        .map((l) => (l === null ? '—' : l.toFixed(2)))
        .join(' / '),
    sortValue: (s) => s.load_avg_1m ?? -1,
  },
];
