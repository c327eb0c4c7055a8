import { basename, dirname, extname } from 'node:path';

import { BOARD_COLUMNS, type BoardColumn } from './schema.js';

/** Where seed 004 keeps task files. */
export const TASK_BOARD_GLOB = 'work/collaboration/{inbox,assigned,done}/*.yaml';

const BOARD_PATH =
  /(?:^|[\\/])work[\\/]collaboration[\\/](inbox|assigned|done)[\\/][^\\/]+\.ya?ml$/;

/**
 * True for `work/collaboration/{inbox,assigned,done}/<task>.yaml|yml`.
 *
 * @example
 * isTaskBoardPath('/repo/work/collaboration/inbox/T-1.yaml') // true
 */
export function isTaskBoardPath(path: string): boolean {
  return BOARD_PATH.test(path);
}

/**
 * The board column a task file sits in (its parent folder), or null.
 *
 * @example
 * columnOf('/repo/work/collaboration/done/T-1.yaml') // 'done'
 */
export function columnOf(path: string): BoardColumn | null {
  const parent = basename(dirname(path));
  return BOARD_COLUMNS.find((c) => c === parent) ?? null;
}

/**
 * The task id a file name implies.
 *
 * @example
 * taskIdFromFileName('/repo/work/collaboration/inbox/TASK-0142.yaml') // 'TASK-0142'
 */
export function taskIdFromFileName(path: string): string {
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length) || name;
}
