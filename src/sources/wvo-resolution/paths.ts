/** Where `ResolutionMetricsStore` persists loops. */
export const WVO_RESOLUTION_PATH = 'state/analytics/resolution_metrics.json';

/**
 * True for `state/analytics/resolution_metrics.json`.
 *
 * @example
 * isWvoResolutionPath('/repo/state/analytics/resolution_metrics.json') // true
 */
export function isWvoResolutionPath(path: string): boolean {
  return /(?:^|[\\/])state[\\/]analytics[\\/]resolution_metrics\.json$/.test(path);
}
