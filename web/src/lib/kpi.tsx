import { useMemo } from 'preact/hooks';

import { Chart } from './chart';
import { formatDelta } from './format';

export interface KpiProps {
  /** `data-kpi` of the tile. */
  name: string;
  label: string;
  /** The formatted value shown. */
  value: string;
  /** The raw number (`data-raw`; empty when null). */
  raw: number | null;
  /** Relative change against the previous period (0.1 = +10%); null when not comparable. */
  delta?: number | null;
  /** Which direction is good news (default up); colours the change. */
  good?: 'up' | 'down';
  /** A sparkline of recent values, oldest first. */
  spark?: number[];
  /** A line under the value (e.g. the previous period's value). */
  hint?: string;
}

/**
 * A KPI tile: `[data-kpi=name]` holding `[data-value]` (the formatted text, with `data-raw`),
 * the change against the previous period and a sparkline.
 *
 * @example
 * <Kpi name="cost" label="Cost" value={formatUsd(12.5)} raw={12.5} delta={0.08} good="down" />
 */
export function Kpi({ name, label, value, raw, delta, good = 'up', spark, hint }: KpiProps) {
  const rawText = raw === null || !Number.isFinite(raw) ? '' : String(raw);
  const direction =
    delta === null || delta === undefined || delta === 0 ? 'flat' : delta > 0 ? 'up' : 'down';
  const tone = direction === 'flat' ? 'neutral' : direction === good ? 'good' : 'bad';
  const sparkConfig = useMemo(
    () =>
      spark && spark.length > 1
        ? {
            type: 'line' as const,
            data: {
              labels: spark.map((_, i) => i),
              datasets: [
                {
                  data: spark,
                  borderColor: 'var(--accent)',
                  backgroundColor: 'var(--accent-soft)',
                  borderWidth: 1.5,
                  pointRadius: 0,
                  fill: true,
                  tension: 0.3,
                },
              ],
            },
            options: {
              events: [],
              plugins: { legend: { display: false }, tooltip: { enabled: false } },
              scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
            },
          }
        : null,
    [spark],
  );
  return (
    <div class="kpi" data-kpi={name} data-raw={rawText}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value" data-value data-raw={rawText}>
        {value}
      </div>
      {delta !== undefined && (
        <div
          class={`kpi-delta ${tone}`}
          data-delta={delta === null ? '' : String(delta)}
          title="Change against the previous period of the same length"
        >
          <span aria-hidden="true">
            {direction === 'up' ? '▲' : direction === 'down' ? '▼' : '•'}
          </span>{' '}
          <span class="visually-hidden">Change against the previous period: </span>
          {delta === null ? 'no previous data' : formatDelta(delta)}
        </div>
      )}
      {hint && <div class="kpi-hint">{hint}</div>}
      {sparkConfig && (
        <div class="kpi-spark" aria-hidden="true">
          <Chart name={`spark-${name}`} config={sparkConfig} height={36} />
        </div>
      )}
    </div>
  );
}
