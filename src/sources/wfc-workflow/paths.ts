import { basename } from 'node:path';

/** Seed 000 names `~/.wfc/memory/`; WFC's memory manager defaults to `<wfc>/wfc/memory/`. */
export const WFC_WORKFLOW_DEFAULT_PATH = '~/.wfc/memory/workflow_metrics.jsonl';

const WORKFLOW_UNDER_WFC = /(?:^|[\\/])\.?wfc[\\/]memory[\\/]workflow_metrics\.jsonl(?:\.\d+)?$/;

/** True for `.wfc/memory/workflow_metrics.jsonl` or `wfc/memory/workflow_metrics.jsonl`. */
export function isWfcWorkflowPath(path: string): boolean {
  return WORKFLOW_UNDER_WFC.test(path);
}

/** True for any file named `workflow_metrics.jsonl`: other tools use the name too. */
export function isWorkflowFileName(path: string): boolean {
  return /^workflow_metrics\.jsonl(?:\.\d+)?$/.test(basename(path));
}
