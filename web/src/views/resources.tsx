import { useEffect, useMemo, useState } from 'preact/hooks';

import { useApi } from '../lib/api';
import { Chart } from '../lib/chart';
import { formatDurationMs, formatNumber, formatTime, formatUsd } from '../lib/format';
import { DataTable, Kpi, ViewFrame, viewStateOf, type ViewProps } from '../lib/view';
import { pct, PROVIDER_COLUMNS, SAMPLE_COLUMNS } from './resources-tables';
import {
  capacityChart,
  formatBytes,
  hubChart,
  readingOf,
  type HubReading,
  type ResourcesResponse,
} from './resources-types';

/** The hub's host and process are sampled per request: ask again this often. */
const POLL_MS = 5_000;
/** Readings kept for the chart (20 minutes at one per 5 s). */
const MAX_READINGS = 240;

/**
 * 9. Resources (`/api/metrics/resources`): this hub's host and process (sampled every 5 s
 * while the view is open, charted), provider capacity against hourly and daily limits, cost
 * per task over the window, and the latest resource samples the sources reported.
 */
export default function ResourcesView({ filters }: ViewProps) {
  const result = useApi<ResourcesResponse>('/api/metrics/resources', {
    since: filters.since,
    until: filters.until,
  });
  const { data, reload } = result;
  const [readings, setReadings] = useState<HubReading[]>([]);

  useEffect(() => {
    const id = setInterval(reload, POLL_MS);
    return () => clearInterval(id);
  }, [reload]);

  useEffect(() => {
    if (!data) return;
    const r = readingOf(data);
    setReadings((prev) =>
      prev.length > 0 && (prev.at(-1)?.at ?? 0) >= r.at ? prev : [...prev, r].slice(-MAX_READINGS),
    );
  }, [data]);

  const hub = useMemo(() => hubChart(readings), [readings]);
  const capacity = useMemo(() => capacityChart(data?.providers ?? []), [data]);

  const state = viewStateOf(
    result,
    (d) => d.providers.length === 0 && d.samples.length === 0 && d.cost_per_task.tasks === 0,
  );
  const emptyText = data
    ? `No provider usage, resource sample or task in this window. This hub: host memory ${pct(data.host.memory_used_pct)} used, load ${(data.host.load_avg[0] ?? 0).toFixed(2)}, process ${formatBytes(data.process.rss_bytes)} resident.`
    : undefined;
  const near = (data?.providers ?? []).filter(
    (p) => p.approaching_daily_limit || p.approaching_hourly_limit,
  ).length;

  const exportRows = () => {
    if (!data) return [];
    const { host, process: proc, cost_per_task: cost } = data;
    return [
      { record: 'host', at: data.generated_at, ...host, load_avg: host.load_avg.join(' ') },
      { record: 'process', at: data.generated_at, ...proc },
      { record: 'cost_per_task', since: data.window.since, until: data.window.until, ...cost },
      ...data.providers.map((p) => ({
        record: 'provider',
        provider: p.provider,
        at: p.snapshot_at,
        hour_requests: p.hour.requests,
        hour_request_limit: p.hour.request_limit,
        hour_tokens: p.hour.tokens,
        hour_token_limit: p.hour.token_limit,
        hour_utilisation: p.hour.utilisation,
        day_requests: p.day.requests,
        day_request_limit: p.day.request_limit,
        day_tokens: p.day.tokens,
        day_token_limit: p.day.token_limit,
        day_utilisation: p.day.utilisation,
        percentage_used: p.percentage_used,
        approaching_hourly_limit: p.approaching_hourly_limit,
        approaching_daily_limit: p.approaching_daily_limit,
      })),
      ...data.samples.map((s) => ({ record: 'sample', ...s })),
    ];
  };

  return (
    <ViewFrame
      id="resources"
      title="Resources"
      state={state}
      error={result.error}
      onRetry={reload}
      filters={['time']}
      emptyText={emptyText}
      exportName="resources"
      exportRows={exportRows}
    >
      {data && (
        <>
          <div class="kpis">
            <Kpi
              name="host-memory"
              label="Host memory used"
              value={pct(data.host.memory_used_pct)}
              raw={data.host.memory_used_pct}
              good="down"
              hint={`${formatBytes(data.host.memory_total_bytes - data.host.memory_free_bytes)} of ${formatBytes(data.host.memory_total_bytes)}`}
            />
            <Kpi
              name="host-load"
              label="Load (1 min)"
              value={(data.host.load_avg[0] ?? 0).toFixed(2)}
              raw={data.host.load_avg[0] ?? null}
              good="down"
              hint={`${data.host.cpus} CPUs`}
            />
            <Kpi
              name="process-cpu"
              label="Hub CPU"
              value={pct(data.process.cpu_pct)}
              raw={data.process.cpu_pct}
              good="down"
              hint="% of one core"
            />
            <Kpi
              name="process-rss"
              label="Hub memory (RSS)"
              value={formatBytes(data.process.rss_bytes)}
              raw={data.process.rss_bytes}
              good="down"
            />
            <Kpi
              name="cost-per-task"
              label="Cost per task (estimate)"
              value={formatUsd(data.cost_per_task.estimate_per_task_usd)}
              raw={data.cost_per_task.estimate_per_task_usd}
              good="down"
            />
            <Kpi
              name="reported-per-task"
              label="Cost per task (reported)"
              value={formatUsd(data.cost_per_task.reported_per_task_usd)}
              raw={data.cost_per_task.reported_per_task_usd}
              good="down"
            />
            <Kpi
              name="tasks"
              label="Tasks"
              value={formatNumber(data.cost_per_task.tasks)}
              raw={data.cost_per_task.tasks}
            />
            <Kpi
              name="providers-near-limit"
              label="Providers near a limit"
              value={formatNumber(near)}
              raw={near}
              good="down"
              hint={`of ${formatNumber(data.providers.length)}`}
            />
          </div>

          <div class="grid">
            <div class="card">
              <h2>This hub</h2>
              <Chart
                name="resources-history"
                config={hub}
                label="Host memory, hub process CPU and load while this view is open"
              />
              <p class="muted">Sampled every {POLL_MS / 1000} s while this view is open.</p>
            </div>
            <div class="card">
              <h2>Host and process</h2>
              <dl class="kv" data-testid="resources-host">
                <dt>Host</dt>
                <dd>
                  {data.host.hostname} ({data.host.platform} {data.host.arch}, {data.host.cpus}{' '}
                  CPUs)
                </dd>
                <dt>Load 1 / 5 / 15 min</dt>
                <dd>{data.host.load_avg.map((l) => l.toFixed(2)).join(' / ')}</dd>
                <dt>Memory</dt>
                <dd>
                  {formatBytes(data.host.memory_total_bytes - data.host.memory_free_bytes)} used of{' '}
                  {formatBytes(data.host.memory_total_bytes)}
                </dd>
                <dt>Host up</dt>
                <dd>{formatDurationMs(data.host.uptime_seconds * 1000)}</dd>
                <dt>Hub process</dt>
                <dd>
                  PID {data.process.pid}, Node {data.process.node_version}, up{' '}
                  {formatDurationMs(data.process.uptime_seconds * 1000)}
                </dd>
                <dt>Heap</dt>
                <dd>
                  {formatBytes(data.process.heap_used_bytes)} used of{' '}
                  {formatBytes(data.process.heap_total_bytes)},{' '}
                  {formatBytes(data.process.external_bytes)} external
                </dd>
              </dl>
            </div>
          </div>

          <div class="grid">
            <div class="card">
              <h2>Provider capacity</h2>
              {data.providers.length === 0 ? (
                <p class="muted">No provider usage snapshot in this window.</p>
              ) : (
                <Chart
                  name="provider-capacity"
                  config={capacity}
                  label="Hourly and daily utilisation per provider, % of limit"
                />
              )}
            </div>
            <div class="card">
              <h2>Cost per task</h2>
              <dl class="kv" data-testid="resources-cost">
                <dt>Tasks</dt>
                <dd>{formatNumber(data.cost_per_task.tasks)}</dd>
                <dt>Estimated cost</dt>
                <dd>
                  {formatUsd(data.cost_per_task.cost_estimate_usd)} (
                  {formatUsd(data.cost_per_task.estimate_per_task_usd)} per task)
                </dd>
                <dt>Reported cost</dt>
                <dd>
                  {formatUsd(data.cost_per_task.cost_reported_usd)} (
                  {formatUsd(data.cost_per_task.reported_per_task_usd)} per task)
                </dd>
                <dt>Unpriced models</dt>
                <dd>{data.cost_per_task.unpriced_models.join(', ') || 'none'}</dd>
              </dl>
              <p class="muted">
                Window {formatTime(data.window.since)} – {formatTime(data.window.until)}. Estimates
                use the price table; models without a price are left out of them.
              </p>
            </div>
          </div>

          {data.providers.length > 0 && (
            <div class="grid">
              <div class="card">
                <h2>Providers</h2>
                <DataTable
                  testId="resources-table"
                  caption="Provider usage against limits"
                  columns={PROVIDER_COLUMNS}
                  rows={data.providers}
                  rowKey={(p) => p.provider}
                />
              </div>
            </div>
          )}

          <div class="grid">
            <div class="card">
              <h2>Reported resource samples</h2>
              {data.samples.length === 0 ? (
                <p class="muted">No resource sample reported in this window.</p>
              ) : (
                <DataTable
                  testId="resources-samples-table"
                  caption="Latest resource sample per host and process"
                  columns={SAMPLE_COLUMNS}
                  rows={data.samples}
                  rowKey={(s) => `${s.host ?? ''}|${s.process ?? ''}|${s.pid ?? ''}|${s.at}`}
                />
              )}
            </div>
          </div>
        </>
      )}
    </ViewFrame>
  );
}
