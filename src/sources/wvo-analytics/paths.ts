/** Where WVO writes its analytics JSONL files. */
export const WVO_ANALYTICS_GLOB = 'state/analytics/*.jsonl';

/**
 * True for `state/analytics/<name>.jsonl` (rotated copies included).
 *
 * @example
 * isWvoAnalyticsPath('/repo/state/analytics/task_events.jsonl') // true
 */
export function isWvoAnalyticsPath(path: string): boolean {
  return /(?:^|[\\/])state[\\/]analytics[\\/][^\\/]+\.jsonl(?:\.\d+)?$/.test(path);
}

/**
 * True when a file name says it holds quality-gate decisions.
 *
 * @example
 * isGateDecisionsPath('/repo/state/analytics/quality_gate_decisions.jsonl') // true
 */
export function isGateDecisionsPath(path: string): boolean {
  return /quality_gate[^\\/]*\.jsonl(?:\.\d+)?$/.test(path);
}
