import { lookupEventType } from '../../core/catalogue.js';
import { EMPTY_EVENT_FIELDS, type VigilEvent } from '../../core/event.js';
import { deriveId } from '../shared/fields.js';
import { stripBom } from '../shared/json-document.js';
import { parseTimestamp } from '../shared/timestamp.js';
import type { DocumentContext, DocumentResult } from '../types.js';
import { reviewerFromPath } from './paths.js';
import { isHeading, listItemText, parseEntry, sectionKey, sectionTitle } from './schema.js';

export const WFC_KNOWLEDGE_ADAPTER = 'wfc-knowledge';

const ENTRY = lookupEventType('knowledge_entry');
const MAX_MESSAGE = 65_536;

/**
 * Parses a reviewer's `KNOWLEDGE.md` into one `knowledge_entry` event per list item under a
 * `## ` section. Prose, code fences and items outside a section are ignored; nothing is ever
 * rejected. Ids come from reviewer, section and entry text, so re-reading is idempotent and an
 * edited entry becomes a new event.
 *
 * @example
 * const { events } = parseWfcKnowledge('## Patterns Found\n- [2026-02-10] Check JWT audience\n', ctx);
 * events[0]?.attrs['section'] // 'patterns_found'
 */
export function parseWfcKnowledge(text: string, ctx: DocumentContext): DocumentResult {
  const reviewer = reviewerFromPath(ctx.file);
  const source = { adapter: WFC_KNOWLEDGE_ADAPTER, file: ctx.file, line: null, offset: null };
  const fallbackTs = Math.floor(ctx.mtimeMs);
  const events: VigilEvent[] = [];
  const seen = new Set<string>();
  let section: string | null = null;
  let pending: string | null = null;
  let fence: string | null = null;

  const flush = () => {
    if (pending === null || section === null) {
      pending = null;
      return;
    }
    const entry = parseEntry(pending);
    pending = null;
    if (entry.text === '') return;
    const id = deriveId(WFC_KNOWLEDGE_ADAPTER, reviewer, section, entry.text);
    if (seen.has(id)) return;
    seen.add(id);
    events.push({
      ...EMPTY_EVENT_FIELDS,
      id,
      type: 'knowledge_entry',
      kind: ENTRY?.kind ?? 'knowledge',
      ts: (entry.date === null ? null : parseTimestamp(entry.date)) ?? fallbackTs,
      agentRole: reviewer,
      status: ENTRY?.status ?? null,
      message: entry.text.slice(0, MAX_MESSAGE),
      source,
      attrs: {
        reviewer,
        section,
        entryDate: entry.date,
        textLength: entry.text.length,
        ref: entry.ref,
      },
    });
  };

  const body = stripBom(text);
  for (const rawLine of body.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const trimmed = line.trimStart();
    const marker = trimmed.startsWith('```') ? '```' : trimmed.startsWith('~~~') ? '~~~' : null;
    if (fence !== null) {
      if (marker === fence) fence = null;
      continue;
    }
    if (marker !== null) {
      flush();
      fence = marker;
      continue;
    }
    const title = sectionTitle(line);
    if (title !== null) {
      flush();
      const key = sectionKey(title);
      section = key === '' ? null : key;
      continue;
    }
    if (isHeading(line)) {
      flush();
      // A level-1 heading starts a new document part; deeper ones stay inside the section.
      if (trimmed.startsWith('# ') || trimmed === '#') section = null;
      continue;
    }
    const item = listItemText(line);
    if (item !== null) {
      flush();
      pending = item;
    } else if (pending !== null && line.trim() !== '' && line.length - trimmed.length >= 2) {
      pending += ` ${trimmed}`;
    } else {
      flush();
    }
  }
  flush();
  return { events, rejects: [] };
}
