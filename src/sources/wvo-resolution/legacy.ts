import { isJsonObject, num, str } from '../shared/fields.js';
import { parseTimestamp } from '../shared/timestamp.js';

type Json = Record<string, unknown>;

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isJsonObject) : []);

/**
 * True for the camelCase layout of upstream WeatherVane's `ResolutionMetricsStore`
 * (`activeLoops`, `recentlyClosed`, `recentEvents`) rather than Vigil's `loops` layout.
 */
export function isLegacyResolutionDocument(doc: Json): boolean {
  return (
    doc['loops'] === undefined &&
    (Array.isArray(doc['activeLoops']) || Array.isArray(doc['recentlyClosed']))
  );
}

/**
 * Rewrites the upstream layout into `loops`: one loop per active loop and per recently closed
 * loop, keyed `taskId@runId`; attempts and incidents come from `recentEvents` (the last 50), so
 * `attempt_count` carries the store's own count.
 *
 * @example
 * legacyToLoops({ activeLoops: [{ taskId: 'T1', attempts: 2, firstAttemptAt: '...',
 *   lastAttemptAt: '...', lastLabel: 'tests_failed', labels: [], runId: 'r1' }] })
 * // [{ loop_id: 'T1@r1', task_id: 'T1', status: 'active', attempt_count: 2, ... }]
 */
export function legacyToLoops(doc: Json): Json[] {
  const events = list(doc['recentEvents']);
  const loopId = (taskId: string, runId: string | null): string =>
    runId ? `${taskId}@${runId}` : taskId;

  const attemptsOf = (taskId: string, runId: string | null): Json[] => {
    const byNumber = new Map<number, Json>();
    for (const e of events) {
      if (e['type'] !== 'attempt' || str(e['taskId']) !== taskId) continue;
      if (runId !== null && str(e['runId']) !== runId) continue;
      const n = num(e['attempt']);
      if (n === null || byNumber.has(n)) continue;
      byNumber.set(n, {
        attempt: n,
        started_at: e['timestamp'],
        label: str(e['label']) ?? undefined,
      });
    }
    for (const e of events) {
      if (e['type'] !== 'incident' || str(e['taskId']) !== taskId) continue;
      const target = byNumber.get(num(e['attempt']) ?? -1);
      if (target) target['incident'] = str(e['state']) ?? 'incident';
    }
    return [...byNumber.values()].sort((a, b) => Number(a['attempt']) - Number(b['attempt']));
  };

  const loops: Json[] = [];
  for (const a of list(doc['activeLoops'])) {
    const taskId = str(a['taskId']);
    if (taskId === null) continue;
    const runId = str(a['runId']);
    loops.push({
      loop_id: loopId(taskId, runId),
      task_id: taskId,
      status: 'active',
      opened_at: a['firstAttemptAt'],
      attempts: attemptsOf(taskId, runId),
      attempt_count: a['attempts'],
      run_id: runId ?? undefined,
      last_label: a['lastLabel'],
      infinite_loop: a['infiniteLoopFlag'] === true,
    });
  }
  for (const c of list(doc['recentlyClosed'])) {
    const taskId = str(c['taskId']);
    if (taskId === null) continue;
    const runId = str(c['runId']);
    const closedAt = parseTimestamp(c['closedAt']);
    const durationMs = num(c['durationMs']) ?? 0;
    loops.push({
      loop_id: loopId(taskId, runId),
      task_id: taskId,
      status: 'closed',
      opened_at: closedAt === null ? c['closedAt'] : new Date(closedAt - durationMs).toISOString(),
      closed_at: c['closedAt'],
      attempts: attemptsOf(taskId, runId),
      attempt_count: c['attempts'],
      run_id: runId ?? undefined,
    });
  }
  return loops;
}
