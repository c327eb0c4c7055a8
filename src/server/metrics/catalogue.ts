import {
  Counter,
  Gauge,
  type OpenMetricsContentType,
  type PrometheusContentType,
  type Registry,
} from 'prom-client';

import type { Hub } from '../../live/hub.js';
import { hubPlugins } from '../../plugins/hub-plugins.js';
import type { PluginStatus } from '../../plugins/status.js';
import { VERSION } from '../../version.js';
import type { MetricsCollector } from './collector.js';
import { foldSnapshot, LabelCap, UNKNOWN, type Sample } from './label-cap.js';
import { TASK_STATUSES } from './rollup-state.js';

/** What the metric definitions read at scrape time. */
export interface MetricView {
  hub: Hub;
  collector: MetricsCollector;
  /** Persistent cap of the reject-reason label. */
  reasons: LabelCap;
}

export interface MetricDef {
  /** The name after `<namespace>_`. */
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  labels: readonly string[];
  /** From seed 000's catalogue: name, labels and help exactly as the seed has them. */
  seed?: true;
  samples(view: MetricView): Iterable<Sample>;
}

const one = (value: number): Sample[] => [{ labels: {}, value }];
const count = (c: { n: number }) => c.n;

/** The `other` operation of `tokens_used_total`: usage of every event outside the broken-down types. */
function* usageSamples({ collector }: MetricView): Iterable<Sample> {
  // Exposed once complete: the usage events have been read and the rest is known.
  if (!collector.usageLoaded || collector.otherUsageTokens === null) return;
  let rest = collector.otherUsageTokens;
  for (const s of collector.events.usage.samples(count)) {
    if (s.labels['operation'] === 'other' && s.labels['complexity'] === UNKNOWN) {
      yield { labels: s.labels, value: s.value + rest };
      rest = 0;
    } else yield s;
  }
  if (rest > 0) yield { labels: { operation: 'other', complexity: UNKNOWN }, value: rest };
}

/** One sample per plugin (none without a plugin host or plugins). */
const perPlugin =
  (value: (p: PluginStatus) => number) =>
  ({ hub }: MetricView): Sample[] =>
    (hubPlugins(hub)?.statuses() ?? []).map((p) => ({
      labels: { plugin: p.name },
      value: value(p),
    }));

const STREAMS = [
  ['metrics_stream', 'metricsStream'],
  ['events_stream', 'eventsStream'],
  ['websocket', 'websocket'],
] as const;

/**
 * Every metric `/metrics` exposes, in exposition order. Names are `<namespace>_<name>`; the
 * namespace is `server.metrics_namespace` (`vigil` by default, `wfc` for seed 000's names).
 */
export const CATALOGUE: readonly MetricDef[] = [
  {
    name: 'review_consensus_score',
    type: 'gauge',
    help: 'Consensus Score from the latest review',
    labels: ['task_id', 'tier'],
    seed: true,
    samples: ({ collector }) => collector.events.consensusSamples(),
  },
  {
    name: 'review_total',
    type: 'counter',
    help: 'Total reviews performed',
    labels: ['tier'],
    seed: true,
    samples: ({ collector }) => collector.events.reviews.samples(count),
  },
  {
    name: 'review_mpr_applied_total',
    type: 'counter',
    help: 'Reviews where Minority Protection Rule fired',
    labels: [],
    seed: true,
    samples: ({ collector }) => one(collector.events.mprApplied),
  },
  {
    name: 'findings_total',
    type: 'counter',
    help: 'Total findings by reviewer and severity tier',
    labels: ['reviewer', 'severity_tier'],
    seed: true,
    samples: ({ collector }) => collector.events.findings.samples(count),
  },
  {
    name: 'knowledge_entries_total',
    type: 'gauge',
    help: 'Knowledge entries per reviewer',
    labels: ['reviewer', 'section'],
    seed: true,
    samples: ({ collector }) =>
      collector.events.knowledge.samples((c) => Math.max(c.entries, c.added)),
  },
  {
    name: 'knowledge_drift_score',
    type: 'gauge',
    help: 'Drift health score per reviewer (0=healthy, 1=needs_review)',
    labels: ['reviewer'],
    seed: true,
    samples: ({ collector }) => collector.events.drift.samples((c) => c.score),
  },
  {
    name: 'bypass_active',
    type: 'gauge',
    help: 'Active emergency bypasses',
    labels: [],
    seed: true,
    samples: ({ collector }) => one(collector.events.activeBypasses(collector.now())),
  },
  {
    name: 'tokens_used_total',
    type: 'counter',
    help: 'Tokens consumed by WFC operations',
    labels: ['operation', 'complexity'],
    seed: true,
    samples: usageSamples,
  },
  {
    name: 'tasks',
    type: 'gauge',
    help: 'Stored tasks by outcome (other: skipped, cancelled, blocked or unknown)',
    labels: ['status'],
    samples: ({ collector }) =>
      TASK_STATUSES.map((status) => ({
        labels: { status },
        value: collector.rollup.tasks[status],
      })),
  },
  {
    name: 'tasks_last_24h',
    type: 'gauge',
    help: 'Tasks by outcome in the current hour and the 23 before it (by end time)',
    labels: ['status'],
    samples: ({ collector }) =>
      TASK_STATUSES.map((status) => ({
        labels: { status },
        value: collector.rollup.tasksRecent[status],
      })),
  },
  {
    name: 'tokens_total',
    type: 'counter',
    help: 'Tokens by model and direction (input, output, cache_read, cache_write)',
    labels: ['model', 'direction'],
    samples: ({ collector }) => collector.rollup.tokens,
  },
  {
    name: 'cost_usd_total',
    type: 'counter',
    help: 'Estimated cost in US dollars from the price table, priced models only',
    labels: ['model'],
    samples: ({ collector }) => collector.rollup.costUsd,
  },
  {
    name: 'cost_reported_usd_total',
    type: 'counter',
    help: 'Cost in US dollars as the sources reported it',
    labels: ['model'],
    samples: ({ collector }) => collector.rollup.costReportedUsd,
  },
  {
    name: 'cost_unpriced_tokens_total',
    type: 'counter',
    help: 'Tokens of models without a price: their cost is not in cost_usd_total',
    labels: ['model'],
    samples: ({ collector }) => collector.rollup.unpricedTokens,
  },
  {
    name: 'cost_last_24h_usd',
    type: 'gauge',
    help: 'Estimated cost in US dollars in the current hour and the 23 before it, priced models only',
    labels: ['model'],
    samples: ({ collector }) => collector.rollup.costRecentUsd,
  },
  {
    name: 'events_ingested_total',
    type: 'counter',
    help: 'Events stored by this hub since it started',
    labels: [],
    samples: ({ hub }) => one(hub.monitor.eventsIngested),
  },
  {
    name: 'ingest_duplicates_total',
    type: 'counter',
    help: 'Events skipped because their id was already stored',
    labels: [],
    samples: ({ hub }) => one(hub.monitor.duplicates),
  },
  {
    name: 'ingest_conflicts_total',
    type: 'counter',
    help: 'Duplicate ids whose content differed from the stored event',
    labels: [],
    samples: ({ hub }) => one(hub.monitor.conflicts),
  },
  {
    name: 'ingest_lines_rejected_total',
    type: 'counter',
    help: 'Input lines and records rejected, by reason',
    labels: ['reason'],
    samples: (view) => {
      const name = `${view.hub.config.server.metricsNamespace}_ingest_lines_rejected_total`;
      const folded = foldSnapshot(
        name,
        view.reasons,
        view.collector.overflow,
        view.hub.monitor.rejectsByReason,
      );
      return [...folded].map(([reason, value]) => ({ labels: { reason }, value }));
    },
  },
  {
    name: 'ingest_errors_total',
    type: 'counter',
    help: 'Ingest errors (unreadable files, failed writes)',
    labels: [],
    samples: ({ hub }) => one(hub.monitor.errors),
  },
  {
    name: 'ingest_lag_seconds',
    type: 'gauge',
    help: 'How long the oldest change not yet ingested has waited',
    labels: [],
    samples: ({ hub, collector }) => one(hub.monitor.lagSeconds(collector.now())),
  },
  {
    name: 'ingest_lag_bytes',
    type: 'gauge',
    help: 'Bytes written to watched files and not yet ingested',
    labels: [],
    samples: ({ hub }) => one(hub.monitor.lagBytes),
  },
  {
    name: 'stream_clients',
    type: 'gauge',
    help: 'Connected live-stream clients by stream',
    labels: ['stream'],
    samples: ({ hub }) =>
      STREAMS.map(([stream, key]) => ({ labels: { stream }, value: hub.clients[key] })),
  },
  {
    name: 'stream_clients_dropped_total',
    type: 'counter',
    help: 'Live-stream clients dropped because they stopped reading',
    labels: ['stream'],
    samples: ({ hub }) =>
      STREAMS.map(([stream, key]) => ({ labels: { stream }, value: hub.droppedClients[key] })),
  },
  {
    name: 'label_overflow_total',
    type: 'counter',
    help: 'Label values folded into "other" (or series dropped) because a metric reached its cap',
    labels: ['metric'],
    samples: ({ collector }) =>
      [...collector.overflow.byMetric].map(([metric, value]) => ({ labels: { metric }, value })),
  },
  {
    name: 'plugin_up',
    type: 'gauge',
    help: 'Whether each plugin is running (1) or not (0: disabled, starting, restarting, failed)',
    labels: ['plugin'],
    samples: perPlugin((p) => (p.state === 'running' ? 1 : 0)),
  },
  {
    name: 'plugin_restarts_total',
    type: 'counter',
    help: 'Plugin restarts after a crash, hang or memory limit, since the hub started',
    labels: ['plugin'],
    samples: perPlugin((p) => p.restarts),
  },
  {
    name: 'plugin_events_total',
    type: 'counter',
    help: 'Events handed to each plugin since the hub started',
    labels: ['plugin'],
    samples: perPlugin((p) => p.events_delivered),
  },
  {
    name: 'plugin_errors_total',
    type: 'counter',
    help: 'Plugin errors since the hub started: throws, failed starts, crashes, timeouts',
    labels: ['plugin'],
    samples: perPlugin((p) => p.errors),
  },
  {
    name: 'build_info',
    type: 'gauge',
    help: 'The running Vigil: version and store backend (always 1)',
    labels: ['version', 'backend'],
    samples: ({ hub }) => [{ labels: { version: VERSION, backend: hub.store.backend }, value: 1 }],
  },
];

/** Registers the catalogue on `registry`; each metric reads its samples when scraped. */
export function registerCatalogue(
  registry: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>,
  namespace: string,
  view: MetricView,
): void {
  for (const def of CATALOGUE) {
    const config = {
      name: `${namespace}_${def.name}`,
      help: def.help,
      labelNames: def.labels,
      // Not prom-client's global registry (its default): only the one given.
      registers: [],
    };
    const metric =
      def.type === 'gauge'
        ? new Gauge({
            ...config,
            collect() {
              this.reset();
              for (const s of def.samples(view)) this.set(s.labels, s.value);
            },
          })
        : new Counter({
            ...config,
            collect() {
              this.reset();
              for (const s of def.samples(view)) this.inc(s.labels, s.value);
            },
          });
    registry.registerMetric(metric);
  }
}
