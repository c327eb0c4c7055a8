import { basename } from 'node:path';

/** Seed 003 writes KPI events to `.droid/kpis.jsonl`. */
export const KPI_DEFAULT_PATH = '.droid/kpis.jsonl';

/** True for paths that look like KPI files (`kpis.jsonl`, rotated copies included). */
export function isKpiPath(path: string): boolean {
  return /^kpis?(?:[-_.][\w.-]*)?\.jsonl(?:\.\d+)?$/i.test(basename(path));
}
