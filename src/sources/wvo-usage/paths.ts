/** Where WVO's rate limiter persists its usage snapshot. */
export const WVO_USAGE_PATH = 'state/limits/usage_log.json';

/**
 * True for `state/limits/usage_log.json`.
 *
 * @example
 * isWvoUsagePath('/repo/state/limits/usage_log.json') // true
 */
export function isWvoUsagePath(path: string): boolean {
  return /(?:^|[\\/])state[\\/]limits[\\/]usage_log\.json$/.test(path);
}
