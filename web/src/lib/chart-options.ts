import type { ChartOptions, ScaleOptions } from 'chart.js';

import { formatDate, formatTime } from './format';

/** Series colours of the theme, as `Chart` resolves them (`--series-1` ... `--series-8`). */
export const SERIES = [
  'var(--series-1)',
  'var(--series-2)',
  'var(--series-3)',
  'var(--series-4)',
  'var(--series-5)',
  'var(--series-6)',
  'var(--series-7)',
  'var(--series-8)',
] as const;

/** The i-th series colour (cycling). */
export function seriesColor(i: number): string {
  return SERIES[i % SERIES.length] ?? 'var(--series-1)';
}

/**
 * A linear x axis of epoch milliseconds labelled as dates (or times for spans under two days);
 * Chart.js's time scale would need a date adapter.
 */
export function timeAxis(spanMs?: number): ScaleOptions<'linear'> {
  const short = spanMs !== undefined && spanMs < 2 * 86_400_000;
  return {
    type: 'linear',
    ticks: {
      maxTicksLimit: 8,
      maxRotation: 0,
      callback: (value) =>
        short ? formatTime(Number(value)).slice(11, 16) : formatDate(Number(value)),
    },
  } as ScaleOptions<'linear'>;
}

/**
 * Options for long line series of `{ x: epochMs, y }` points: no parsing (the data is already
 * normalised), LTTB decimation, no points, no animation. Draws 10,000 points in a few ms.
 */
export function timeSeriesOptions(spanMs?: number, yTitle?: string): ChartOptions<'line'> {
  return {
    parsing: false,
    normalized: true,
    animation: false,
    spanGaps: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    elements: { point: { radius: 0, hoverRadius: 3 }, line: { borderWidth: 1.5 } },
    scales: {
      x: timeAxis(spanMs),
      y: { beginAtZero: true, title: { display: yTitle !== undefined, text: yTitle ?? '' } },
    },
    plugins: {
      decimation: { enabled: true, algorithm: 'lttb', samples: 600, threshold: 1000 },
      legend: { display: true, position: 'bottom' },
      tooltip: {
        callbacks: { title: (items) => formatTime(items[0]?.parsed.x ?? 0) },
      },
    },
  };
}
