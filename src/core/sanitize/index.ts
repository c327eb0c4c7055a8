/**
 * Secret and PII scrubbing for stored free text (seed 003: `sanitize --field error_message`).
 * Why running time stays linear in the input: see `patterns.ts`.
 */
export {
  DEFAULT_REDACTION_KINDS,
  REDACTION_KINDS,
  isRedactionKind,
  type RedactionKind,
} from './redaction-kinds.js';
export { sanitizeText, type SanitizeOptions, type SanitizeResult } from './sanitize-text.js';
