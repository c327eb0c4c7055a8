import type { LineAdapter } from '../types.js';
import { parseVigilJsonRecord, VIGIL_JSON_ADAPTER } from './parser.js';

/**
 * Vigil's own event form (`vigil export --format json` lines, `POST /api/events` items). Never
 * detected from a file's content (it looks like several other formats): use `--format vigil`.
 */
export const vigilJsonAdapter: LineAdapter = {
  name: VIGIL_JSON_ADAPTER,
  description:
    "Vigil's own event form (export lines, HTTP ingest): event_type and timestamp required",
  mode: 'lines',
  detect: () => 0,
  parseRecord: parseVigilJsonRecord,
};
