/**
 * Seed 001's resource health: this host and this process (sampled now, through node:os and
 * process), provider capacity from usage snapshots, cost per task over the window, and the
 * latest host/process samples the sources reported (`resource_sample`).
 */
import os from 'node:os';

import { z } from 'zod';

import type { PriceTable } from '../../core/prices.js';
import type { VigilEvent } from '../../core/event.js';
import type { Store } from '../../store/types.js';
import { attrNumber, attrString, ratio, round } from './attrs.js';
import { computeSummary } from './summary.js';
import { isoOf, type TimeWindow } from './time.js';
import { latestProviderUsage, ProviderCapacity, providerCapacity } from './usage.js';

const HostBody = z.object({
  hostname: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpus: z.number().int(),
  load_avg: z.array(z.number()).describe('1, 5 and 15 minute load averages'),
  memory_total_bytes: z.number(),
  memory_free_bytes: z.number(),
  memory_used_pct: z.number(),
  uptime_seconds: z.number(),
});

const ProcessBody = z.object({
  pid: z.number().int(),
  node_version: z.string(),
  uptime_seconds: z.number(),
  rss_bytes: z.number(),
  heap_used_bytes: z.number(),
  heap_total_bytes: z.number(),
  external_bytes: z.number(),
  cpu_pct: z
    .number()
    .describe('CPU time used since the previous sample, % of one core (may exceed 100)'),
});

const Sample = z.object({
  at: z.string(),
  host: z.string().nullable(),
  process: z.string().nullable(),
  pid: z.number().nullable(),
  cpu_pct: z.number().nullable(),
  memory_mb: z.number().nullable(),
  memory_pct: z.number().nullable(),
  rss_mb: z.number().nullable(),
  disk_pct: z.number().nullable(),
  load_avg_1m: z.number().nullable(),
  load_avg_5m: z.number().nullable(),
  load_avg_15m: z.number().nullable(),
});
type Sample = z.infer<typeof Sample>;

const CostPerTask = z.object({
  tasks: z.number().int(),
  cost_estimate_usd: z.number().describe('From the price table (priced models only)'),
  cost_reported_usd: z.number(),
  estimate_per_task_usd: z.number().nullable(),
  reported_per_task_usd: z.number().nullable(),
  unpriced_models: z.array(z.string()),
});
type CostPerTask = z.infer<typeof CostPerTask>;

export const ResourcesBody = z.object({
  window: z.object({ since: z.string(), until: z.string() }),
  generated_at: z.string(),
  host: HostBody,
  process: ProcessBody,
  providers: z.array(ProviderCapacity),
  cost_per_task: CostPerTask,
  samples: z.array(Sample).describe('Latest reported sample per host and process in the window'),
});
export type ResourcesBody = z.infer<typeof ResourcesBody>;

/** Samples this host and process; each call reports CPU used since the previous one. */
export function createProcessSampler(): () => {
  host: z.infer<typeof HostBody>;
  process: z.infer<typeof ProcessBody>;
} {
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  const firstCpu = lastCpu.user + lastCpu.system;
  let first = true;
  return () => {
    const cpu = process.cpuUsage();
    const at = performance.now();
    const usedMicros = first ? firstCpu : cpu.user + cpu.system - (lastCpu.user + lastCpu.system);
    const elapsedMs = first ? process.uptime() * 1000 : at - lastAt;
    first = false;
    lastCpu = cpu;
    lastAt = at;
    const mem = process.memoryUsage();
    const total = os.totalmem();
    const free = os.freemem();
    return {
      host: {
        hostname: os.hostname(),
        platform: os.platform(),
        arch: os.arch(),
        cpus: os.availableParallelism(),
        load_avg: os.loadavg().map((v) => round(v, 2)),
        memory_total_bytes: total,
        memory_free_bytes: free,
        memory_used_pct: total > 0 ? round(((total - free) / total) * 100, 2) : 0,
        uptime_seconds: Math.round(os.uptime()),
      },
      process: {
        pid: process.pid,
        node_version: process.version,
        uptime_seconds: round(process.uptime(), 3),
        rss_bytes: mem.rss,
        heap_used_bytes: mem.heapUsed,
        heap_total_bytes: mem.heapTotal,
        external_bytes: mem.external,
        cpu_pct: elapsedMs > 0 ? round((usedMicros / 1000 / elapsedMs) * 100, 2) : 0,
      },
    };
  };
}

function sampleOf(e: VigilEvent): Sample {
  const n = (k: string) => attrNumber(e.attrs, k);
  return {
    at: isoOf(e.ts),
    host: attrString(e.attrs, 'host'),
    process: attrString(e.attrs, 'process'),
    pid: n('pid'),
    cpu_pct: n('cpu_pct'),
    memory_mb: n('memory_mb'),
    memory_pct: n('memory_pct'),
    rss_mb: n('rss_mb'),
    disk_pct: n('disk_pct'),
    load_avg_1m: n('load_avg_1m'),
    load_avg_5m: n('load_avg_5m'),
    load_avg_15m: n('load_avg_15m'),
  };
}

/** What the resources document takes from the store: cached, unlike the live host sample. */
export interface StoredResources {
  window: TimeWindow;
  providers: ProviderCapacity[];
  costPerTask: CostPerTask;
  samples: Sample[];
}

export async function computeStoredResources(
  store: Store,
  prices: PriceTable,
  window: TimeWindow,
): Promise<StoredResources> {
  const usage = await latestProviderUsage(store, window);
  const { summary } = await computeSummary(store, prices, window, window.until);
  const latest = new Map<string, VigilEvent>();
  for await (const e of store.iterateEvents({
    kinds: ['resource'],
    types: ['resource_sample'],
    since: window.since,
    until: window.until,
  })) {
    latest.set(JSON.stringify([attrString(e.attrs, 'host'), attrString(e.attrs, 'process')]), e);
  }
  return {
    window,
    providers: providerCapacity(usage),
    costPerTask: {
      tasks: summary.totalTasks,
      cost_estimate_usd: round(summary.costUsd, 6),
      cost_reported_usd: round(summary.costReportedUsd, 6),
      estimate_per_task_usd: ratio(summary.costUsd, summary.totalTasks),
      reported_per_task_usd: ratio(summary.costReportedUsd, summary.totalTasks),
      unpriced_models: summary.unpricedModels,
    },
    samples: [...latest.values()].sort((a, b) => b.ts - a.ts).map(sampleOf),
  };
}

export function resourcesBody(
  stored: StoredResources,
  live: ReturnType<ReturnType<typeof createProcessSampler>>,
  now: number,
): ResourcesBody {
  return {
    window: { since: isoOf(stored.window.since), until: isoOf(stored.window.until) },
    generated_at: isoOf(now),
    host: live.host,
    process: live.process,
    providers: stored.providers,
    cost_per_task: stored.costPerTask,
    samples: stored.samples,
  };
}
