/** Where WVO writes its telemetry JSONL files. */
export const WVO_TELEMETRY_GLOB = 'state/telemetry/*.jsonl';

/**
 * True for `state/telemetry/<name>.jsonl` (rotated copies included).
 *
 * @example
 * isWvoTelemetryPath('/repo/state/telemetry/operations.jsonl') // true
 */
export function isWvoTelemetryPath(path: string): boolean {
  return /(?:^|[\\/])state[\\/]telemetry[\\/][^\\/]+\.jsonl(?:\.\d+)?$/.test(path);
}
