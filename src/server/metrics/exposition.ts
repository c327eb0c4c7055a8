import {
  collectDefaultMetrics,
  Registry,
  type OpenMetricsContentType,
  type PrometheusContentType,
} from 'prom-client';

import { registerCatalogue, type MetricView } from './catalogue.js';

export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * prom-client's default metrics that are gauges named `..._total`, which `promtool check
 * metrics` flags; the per-type gauges beside them (`nodejs_active_handles{type}`, ...) carry
 * the same figures.
 */
const LINTED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export type MetricsRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/** A registry of `format` with the catalogue and the process metrics, all prefixed. */
function createRegistry(
  format: ExpositionFormat,
  namespace: string,
  view: MetricView,
): MetricsRegistry {
  let registry: MetricsRegistry;
  if (format === 'openmetrics') {
    const om = new Registry<OpenMetricsContentType>();
    om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    registry = om;
  } else {
    registry = new Registry<PrometheusContentType>();
  }
  registerCatalogue(registry, namespace, view);
  const prefix = `${namespace}_`;
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of LINTED_DEFAULTS) registry.removeSingleMetric(prefix + name);
  return registry;
}

/**
 * One registry per format, each the app's own (never prom-client's global one). prom-client
 * renames counters in place when it renders OpenMetrics (`x_total` → `x`), so the two formats
 * cannot share metric objects; both read the same collector state.
 */
export function createRegistries(
  namespace: string,
  view: MetricView,
): Record<ExpositionFormat, MetricsRegistry> {
  return {
    text: createRegistry('text', namespace, view),
    openmetrics: createRegistry('openmetrics', namespace, view),
  };
}

/**
 * The format an `Accept` header asks for: OpenMetrics when `application/openmetrics-text`
 * has a higher quality than the text format (`text/plain` or a wildcard), else the text
 * format, which is also the answer to no header or one naming neither (as Prometheus' own
 * clients do).
 *
 * @example
 * negotiate('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5') // 'openmetrics'
 * negotiate(undefined) // 'text'
 */
export function negotiate(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'text';
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    let q = 1;
    let version: string | null = null;
    for (const p of params) {
      const [k, v = ''] = p.split('=').map((x) => x.trim());
      if (k === 'q') q = Number.isFinite(Number(v)) ? Number(v) : 0;
      else if (k === 'version') version = v.replace(/^"|"$/g, '');
    }
    if (type === 'application/openmetrics-text') {
      if (version === null || version === '1.0.0' || version === '0.0.1') {
        openMetrics = Math.max(openMetrics, q);
      }
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      if (version === null || version === '0.0.4') text = Math.max(text, q);
    }
  }
  return openMetrics > 0 && openMetrics > text ? 'openmetrics' : 'text';
}
