import type { Hub } from '../../live/hub.js';
import { httpError } from '../http-error.js';
import type { VigilApp } from '../types.js';
import type { MetricView } from './catalogue.js';
import { MetricsCollector } from './collector.js';
import { createRegistries, negotiate } from './exposition.js';
import { LabelCap } from './label-cap.js';

export { CATALOGUE } from './catalogue.js';

const collectors = new WeakMap<VigilApp, MetricsCollector>();

/**
 * Prometheus `/metrics`: the seed-000 catalogue and the hub's own metrics, in the text format
 * or OpenMetrics by content negotiation. State is kept up to date from the live bus, so a
 * scrape reads no events; the first scrape waits until the start-up read is done.
 *
 * @example
 * await registerMetrics(app, hub);
 * // curl -H 'Accept: application/openmetrics-text' http://127.0.0.1:3030/metrics
 */
export async function registerMetrics(app: VigilApp, hub: Hub): Promise<void> {
  const collector = new MetricsCollector(hub);
  const view: MetricView = { hub, collector, reasons: new LabelCap() };
  const registries = createRegistries(hub.config.server.metricsNamespace, view);
  collectors.set(app, collector);
  collector.start();
  app.addHook('onClose', async () => collector.close());

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus metrics (text format 0.0.4, or OpenMetrics 1.0.0 by Accept header)',
      },
    },
    async (request, reply) => {
      try {
        await collector.beforeScrape();
      } catch (error) {
        throw httpError(503, `metrics are not available: ${(error as Error).message}`, {
          'retry-after': '1',
        });
      }
      const registry = registries[negotiate(request.headers.accept)];
      const body = await registry.metrics();
      return reply.header('content-type', registry.contentType).send(body);
    },
  );
}

/**
 * Resolves once `/metrics` of `app` holds everything stored when it started, the usage
 * breakdown of `tokens_used_total` included (rejects if that read failed). Scrapes wait only
 * for the rest, on their own; this is for callers that want to know everything is in.
 */
export function metricsReady(app: VigilApp): Promise<void> {
  const collector = collectors.get(app);
  return collector === undefined
    ? Promise.reject(new Error('registerMetrics was not called on this app'))
    : collector.whenComplete();
}
