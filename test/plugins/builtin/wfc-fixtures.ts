/**
 * Events in export form made by the real WFC adapters from the repository's fixtures, so that
 * the plugins are tested on attributes exactly as the adapters store them.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { VigilEvent } from '../../../src/core/event.js';
import { eventToExport } from '../../../src/output/event-json.js';
import type { PluginEvent } from '../../../src/plugins/sdk.js';
import { nextSeq } from './context.js';
import { parseWfcBypassAudit } from '../../../src/sources/wfc-bypass/parser.js';
import { parseWfcReview } from '../../../src/sources/wfc-review/parser.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/wfc');

/** A stored event as the hub hands it to a plugin, with the next `seq`. */
export function toPluginEvent(event: VigilEvent): PluginEvent {
  return { ...(eventToExport(event) as Omit<PluginEvent, 'seq'>), seq: nextSeq() };
}

function parseDocument(parse: typeof parseWfcReview, file: string): PluginEvent[] {
  const text = readFileSync(file, 'utf8');
  const ctx = { file, logicalPath: file, mtimeMs: statSync(file).mtimeMs, previousDigest: null };
  return parse(text, ctx).events.map(toPluginEvent);
}

/** The events of `reviews/REVIEW-<task>.json`: review_complete first, then its findings. */
export function reviewEvents(task: string): PluginEvent[] {
  return parseDocument(parseWfcReview, join(FIXTURES, 'reviews', `REVIEW-${task}.json`));
}

/** The events of `BYPASS-AUDIT.json`. */
export function bypassEvents(): PluginEvent[] {
  return parseDocument(parseWfcBypassAudit, join(FIXTURES, 'BYPASS-AUDIT.json'));
}
