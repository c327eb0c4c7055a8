import { basename } from 'node:path';

/** Where AutoTelemetry keeps its rolling aggregate. */
export const WFC_AGGREGATE_DEFAULT_PATH = '~/.wfc/telemetry/aggregate.json';

const AGGREGATE_UNDER_WFC = /(?:^|[\\/])\.wfc[\\/]telemetry[\\/](?:[^\\/]+[\\/])?aggregate\.json$/;

/** True for `.wfc/telemetry/[project_id/]aggregate.json`. */
export function isWfcAggregatePath(path: string): boolean {
  return AGGREGATE_UNDER_WFC.test(path);
}

/** True for any file named `aggregate.json`: a common name, so content decides. */
export function isAggregateFileName(path: string): boolean {
  return basename(path) === 'aggregate.json';
}
