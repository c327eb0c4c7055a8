/** Every kind of thing the sanitiser can redact, in the order they are applied. */
export const REDACTION_KINDS = [
  'private_key',
  'stack_trace',
  'home_path',
  'jwt',
  'api_key',
  'url_credentials',
  'bearer_token',
  'secret_assignment',
  'email',
  'ip_address',
] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];

/** The kinds applied when no `kinds` option is given: all but `ip_address`. */
export const DEFAULT_REDACTION_KINDS: readonly RedactionKind[] = REDACTION_KINDS.filter(
  (kind) => kind !== 'ip_address',
);

/**
 * True when `name` is one of {@link REDACTION_KINDS}; for parsing a CLI flag.
 *
 * @example
 * isRedactionKind('email') // true
 * isRedactionKind('emails') // false
 */
export function isRedactionKind(name: string): name is RedactionKind {
  return (REDACTION_KINDS as readonly string[]).includes(name);
}

/** The text that replaces one redacted item: `[REDACTED:<kind>]`. */
export const mark = (kind: RedactionKind): string => `[REDACTED:${kind}]`;
export const MARK_PREFIX = '[REDACTED:';
