import { parseDocument } from 'yaml';

import type { DocumentReject } from '../shared/json-document.js';

/** Aliases a task file may use; far above what a hand-written file needs, far below a bomb. */
export const MAX_YAML_ALIASES = 32;

const firstLine = (message: string): string => message.split('\n', 1)[0] ?? message;

/**
 * Parses one YAML document safely: YAML 1.2 core schema only (no custom or language tags, no
 * `<<` merge keys), duplicate keys and multiple documents are errors, and alias expansion is
 * capped at {@link MAX_YAML_ALIASES}. Any failure is one `invalid_document` reject with the
 * parser's message and line.
 *
 * @example
 * loadYamlDocument('id: T-1\ntitle: Fix login\n') // { ok: true, value: { id: 'T-1', title: 'Fix login' } }
 */
export function loadYamlDocument(
  text: string,
): { ok: true; value: unknown } | { ok: false; reject: DocumentReject } {
  try {
    const doc = parseDocument(text, {
      schema: 'core',
      customTags: [],
      merge: false,
      uniqueKeys: true,
    });
    const error = doc.errors[0];
    if (error) {
      return {
        ok: false,
        reject: {
          reason: 'invalid_document',
          message: `invalid YAML: ${firstLine(error.message)}`,
          line: error.linePos?.[0].line ?? null,
        },
      };
    }
    const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (tag) {
      return {
        ok: false,
        reject: {
          reason: 'invalid_document',
          message: `invalid YAML: ${firstLine(tag.message)}; custom tags are not supported, remove the tag`,
          line: tag.linePos?.[0].line ?? null,
        },
      };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const bomb = /alias/i.test(message);
    return {
      ok: false,
      reject: {
        reason: 'invalid_document',
        message: bomb
          ? `invalid YAML: ${message}; expand the anchors (at most ${MAX_YAML_ALIASES} aliases)`
          : `invalid YAML: ${message}`,
        line: null,
      },
    };
  }
}
