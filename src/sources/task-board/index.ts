import type { DocumentAdapter } from '../types.js';
import { parseTaskFile } from './parser.js';
import { isTaskBoardPath } from './paths.js';

export { digestDocument } from './parser.js';

/**
 * Seed 004 task board: one YAML file per task in `work/collaboration/{inbox,assigned,done}/`.
 * See docs/formats/task-board.md.
 *
 * @example
 * taskBoardAdapter.parseDocument(yamlText, { file: '/repo/work/collaboration/done/T-1.yaml',
 *   logicalPath: '/repo/work/collaboration/done/T-1.yaml', mtimeMs, previousDigest: null })
 */
export const taskBoardAdapter: DocumentAdapter = {
  name: 'task-board',
  description: 'Seed 004 task board: YAML task files in work/collaboration/{inbox,assigned,done}/',
  mode: 'document',
  maxBytes: 1024 * 1024,
  detect(path, head) {
    if (isTaskBoardPath(path)) return 0.95;
    if (!/[\\/](inbox|assigned|done)[\\/][^\\/]+\.ya?ml$/.test(path)) return 0;
    return /^(id|title):/m.test(head) ? 0.6 : 0;
  },
  parseDocument: parseTaskFile,
};
