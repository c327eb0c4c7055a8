import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJs,
  Decimation,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { useEffect, useRef } from 'preact/hooks';

// Only what the views draw: lines (time series, sparklines, scatter), bars, doughnuts and the
// findings heatmap (matrix). Anything else must be registered here first.
ChartJs.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  DoughnutController,
  ArcElement,
  MatrixController,
  MatrixElement,
  LinearScale,
  CategoryScale,
  Filler,
  Tooltip,
  Legend,
  Decimation,
);
ChartJs.defaults.animation = false;
ChartJs.defaults.responsive = true;
ChartJs.defaults.maintainAspectRatio = false;

/**
 * The value of a CSS custom property on `<html>` (so it follows the theme).
 *
 * @example
 * cssVar('--series-1') // '#4f8cff'
 */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const VAR = /^var\((--[\w-]+)\)$/;

/**
 * Copies a config with every `'var(--name)'` string replaced by the property's current value;
 * dataset `data` arrays are passed through untouched (they can be large).
 */
function resolveColors<T>(value: T, key = ''): T {
  if (typeof value === 'string') {
    const m = VAR.exec(value);
    return (m ? cssVar(m[1] ?? '') || value : value) as T;
  }
  if (Array.isArray(value)) {
    if (key === 'data' || key === 'labels') return value;
    return value.map((v: unknown) => resolveColors(v)) as T;
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveColors(v, k);
    return out as T;
  }
  return value;
}

function applyThemeDefaults(): void {
  ChartJs.defaults.color = cssVar('--text-muted') || '#888';
  ChartJs.defaults.borderColor = cssVar('--grid') || 'rgba(128,128,128,0.2)';
  ChartJs.defaults.font.family = cssVar('--font-sans') || 'system-ui, sans-serif';
}

/** Charts on the page, redrawn when the theme changes. */
const live = new Set<() => void>();
let observer: MutationObserver | undefined;
function watchTheme(): void {
  if (observer) return;
  observer = new MutationObserver(() => {
    applyThemeDefaults();
    for (const redraw of live) redraw();
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
}

export interface ChartProps {
  /** `data-chart` of the canvas, for tests and styling. */
  name: string;
  config: ChartConfiguration;
  /** Height in CSS pixels (default 240); the width follows the container. */
  height?: number;
  /** Accessible description of what the chart shows. */
  label?: string;
}

/**
 * A Chart.js chart on a canvas (`canvas[data-chart=name]`): created once, updated in place when
 * `config` changes (no animation), destroyed on unmount. Colours may be written as
 * `'var(--series-1)'`; they are read from the theme and re-read when it changes.
 *
 * @example
 * <Chart name="cost-by-day" config={{ type: 'bar', data: { labels, datasets: [{ data,
 *   backgroundColor: 'var(--series-1)' }] } }} />
 */
export function Chart({ name, config, height = 240, label }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<ChartJs | null>(null);
  const latest = useRef(config);
  latest.current = config;

  useEffect(() => {
    watchTheme();
    applyThemeDefaults();
    const redraw = () => {
      const c = chart.current;
      if (!c) return;
      const resolved = resolveColors(latest.current);
      c.data = resolved.data;
      c.options = resolved.options ?? {};
      c.update('none');
    };
    live.add(redraw);
    return () => {
      live.delete(redraw);
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const resolved = resolveColors(config);
    const c = chart.current;
    if (c && (c.config as { type?: string }).type === config.type) {
      c.data = resolved.data;
      c.options = resolved.options ?? {};
      c.update('none');
      return;
    }
    c?.destroy();
    chart.current = new ChartJs(el, resolved);
  }, [config]);

  return (
    <div class="chart-box" style={{ height: `${height}px` }}>
      <canvas ref={canvas} data-chart={name} role="img" aria-label={label ?? name} />
    </div>
  );
}

export type { ChartConfiguration } from 'chart.js';
