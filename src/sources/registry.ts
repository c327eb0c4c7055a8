import { VigilError } from '../core/errors.js';
import { agentEventsAdapter } from './agent-events/index.js';
import { kpiAdapter } from './kpi/index.js';
import { taskBoardAdapter } from './task-board/index.js';
import { tokenUsageAdapter } from './token-usage/index.js';
import type { SourceAdapter } from './types.js';
import { vigilJsonAdapter } from './vigil-json/index.js';
import { wfcAggregateAdapter } from './wfc-aggregate/index.js';
import { wfcBypassAdapter } from './wfc-bypass/index.js';
import { wfcEventsAdapter } from './wfc-events/index.js';
import { wfcKnowledgeAdapter } from './wfc-knowledge/index.js';
import { wfcReviewAdapter } from './wfc-review/index.js';
import { wfcSessionAdapter } from './wfc-session/index.js';
import { wfcWorkflowAdapter } from './wfc-workflow/index.js';
import { wvoAnalyticsAdapter } from './wvo-analytics/index.js';
import { wvoResolutionAdapter } from './wvo-resolution/index.js';
import { wvoTelemetryAdapter } from './wvo-telemetry/index.js';
import { wvoUsageAdapter } from './wvo-usage/index.js';

/** Every built-in adapter, in detection-priority order (earlier wins a tie). */
export const BUILTIN_ADAPTERS: readonly SourceAdapter[] = [
  kpiAdapter,
  tokenUsageAdapter,
  agentEventsAdapter,
  wfcSessionAdapter,
  wfcEventsAdapter,
  wfcWorkflowAdapter,
  wfcAggregateAdapter,
  wfcReviewAdapter,
  wfcBypassAdapter,
  wfcKnowledgeAdapter,
  wvoAnalyticsAdapter,
  wvoResolutionAdapter,
  wvoUsageAdapter,
  wvoTelemetryAdapter,
  taskBoardAdapter,
  vigilJsonAdapter,
];

export interface AdapterRegistry {
  readonly adapters: readonly SourceAdapter[];
  /** An adapter by `--format` name (or a configured alias such as `generic:<path>`). */
  byName(name: string): SourceAdapter;
  /** The adapter most confident about this file, or null when none scores above 0. */
  detect(path: string, head: string): SourceAdapter | null;
}

/**
 * Builds the registry: the built-in adapters plus configured ones under their own names
 * (generic JSONL mappings are adapters made from config, one per source).
 *
 * @example
 * createAdapterRegistry().detect('/repo/.droid/kpis.jsonl', head)?.name // 'kpi'
 */
export function createAdapterRegistry(
  configured: ReadonlyMap<string, SourceAdapter> = new Map(),
): AdapterRegistry {
  const adapters = [...BUILTIN_ADAPTERS];
  const names = new Map<string, SourceAdapter>(adapters.map((a) => [a.name, a]));
  for (const [name, adapter] of configured) names.set(name, adapter);
  const generics = [...configured.keys()].filter((k) => k.startsWith('generic:'));
  return {
    adapters: [
      ...adapters,
      ...(generics.length ? [configured.get(generics[0] as string) as SourceAdapter] : []),
    ],
    byName(name) {
      if (name === 'generic' && !names.has('generic')) {
        if (generics.length === 1) return configured.get(generics[0] as string) as SourceAdapter;
        throw new VigilError(
          'VIGIL_ERR_UNKNOWN_FORMAT',
          generics.length === 0
            ? '--format generic needs a field mapping: add a [[sources]] entry with format = "generic" and [sources.fields] to the config (see docs/formats/generic-jsonl.md)'
            : '--format generic is ambiguous: several generic sources are configured; run `vigil ingest` without paths to use each with its own mapping',
        );
      }
      const adapter = names.get(name);
      if (adapter === undefined) {
        throw new VigilError(
          'VIGIL_ERR_UNKNOWN_FORMAT',
          `unknown format "${name}"; known formats: ${[...new Set([...names.keys()].map((n) => n.replace(/^generic:.*/, 'generic')))].sort().join(', ')}`,
        );
      }
      return adapter;
    },
    detect(path, head) {
      let best: SourceAdapter | null = null;
      let bestScore = 0;
      for (const adapter of adapters) {
        const score = adapter.detect(path, head);
        if (score > bestScore) {
          best = adapter;
          bestScore = score;
        }
      }
      return best;
    },
  };
}
