import type { ChartConfiguration } from '../lib/chart';
import { timeAxis } from '../lib/chart-options';
import { formatTime } from '../lib/format';

/** Usage against limits over one provider window (hour or day). */
export interface ProviderWindow {
  requests: number | null;
  request_limit: number | null;
  tokens: number | null;
  token_limit: number | null;
  /** Highest used / limit ratio, 0..1+. */
  utilisation: number | null;
}

export interface ProviderCapacity {
  provider: string;
  snapshot_at: string;
  hour: ProviderWindow;
  day: ProviderWindow;
  percentage_used: number | null;
  approaching_hourly_limit: boolean | null;
  approaching_daily_limit: boolean | null;
}

export interface ResourceSample {
  at: string;
  host: string | null;
  process: string | null;
  pid: number | null;
  cpu_pct: number | null;
  memory_mb: number | null;
  memory_pct: number | null;
  rss_mb: number | null;
  disk_pct: number | null;
  load_avg_1m: number | null;
  load_avg_5m: number | null;
  load_avg_15m: number | null;
}

/** `/api/metrics/resources`. */
export interface ResourcesResponse {
  window: { since: string; until: string };
  generated_at: string;
  host: {
    hostname: string;
    platform: string;
    arch: string;
    cpus: number;
    load_avg: number[];
    memory_total_bytes: number;
    memory_free_bytes: number;
    memory_used_pct: number;
    uptime_seconds: number;
  };
  process: {
    pid: number;
    node_version: string;
    uptime_seconds: number;
    rss_bytes: number;
    heap_used_bytes: number;
    heap_total_bytes: number;
    external_bytes: number;
    cpu_pct: number;
  };
  providers: ProviderCapacity[];
  cost_per_task: {
    tasks: number;
    cost_estimate_usd: number;
    cost_reported_usd: number;
    estimate_per_task_usd: number | null;
    reported_per_task_usd: number | null;
    unpriced_models: string[];
  };
  samples: ResourceSample[];
}

/** One reading of this hub's host and process, kept in the browser while the view is open. */
export interface HubReading {
  at: number;
  memoryPct: number;
  cpuPct: number;
  load1: number;
  rssMb: number;
}

/** A reading from an answer. */
export function readingOf(d: ResourcesResponse): HubReading {
  return {
    at: Date.parse(d.generated_at),
    memoryPct: d.host.memory_used_pct,
    cpuPct: d.process.cpu_pct,
    load1: d.host.load_avg[0] ?? 0,
    rssMb: d.process.rss_bytes / 1_048_576,
  };
}

/**
 * Bytes in binary units.
 *
 * @example
 * formatBytes(154_976_256) // '147.8 MiB'
 */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** This hub's memory, CPU and load over the readings taken while the view is open. */
export function hubChart(readings: readonly HubReading[]): ChartConfiguration {
  const span =
    readings.length > 1 ? (readings.at(-1)?.at ?? 0) - (readings[0]?.at ?? 0) : undefined;
  const line = (label: string, color: string, pick: (r: HubReading) => number, yAxisID = 'y') => ({
    label,
    data: readings.map((r) => ({ x: r.at, y: pick(r) })),
    borderColor: color,
    backgroundColor: color,
    borderWidth: 1.5,
    pointRadius: readings.length < 3 ? 3 : 0,
    yAxisID,
  });
  return {
    type: 'line',
    data: {
      datasets: [
        line('host memory used %', 'var(--series-1)', (r) => r.memoryPct),
        line('hub process CPU %', 'var(--series-2)', (r) => r.cpuPct),
        line('load average (1 min)', 'var(--series-3)', (r) => r.load1, 'y1'),
      ],
    },
    options: {
      parsing: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { title: (items) => formatTime(items[0]?.parsed.x ?? 0) } },
      },
      scales: {
        x: timeAxis(span ?? 60_000),
        y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: '%' } },
        y1: {
          beginAtZero: true,
          position: 'right',
          grid: { drawOnChartArea: false },
          title: { display: true, text: 'load' },
        },
      },
    },
  };
}

/** Hourly and daily utilisation per provider, as a percentage of its limit. */
export function capacityChart(providers: readonly ProviderCapacity[]): ChartConfiguration {
  const pct = (u: number | null) => (u === null ? null : Math.round(u * 1000) / 10);
  return {
    type: 'bar',
    data: {
      labels: providers.map((p) => p.provider),
      datasets: [
        {
          label: 'this hour',
          data: providers.map((p) => pct(p.hour.utilisation)),
          backgroundColor: 'var(--series-1)',
        },
        {
          label: 'today',
          data: providers.map((p) => pct(p.day.utilisation)),
          backgroundColor: 'var(--series-2)',
        },
      ],
    },
    options: {
      plugins: { legend: { position: 'bottom' } },
      scales: {
        y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: '% of limit' } },
      },
    },
  };
}
