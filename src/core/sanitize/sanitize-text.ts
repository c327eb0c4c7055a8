import { VigilError } from '../errors.js';
import { INLINE_PASSES, applyPass } from './inline-passes.js';
import { redactPrivateKeys } from './private-keys.js';
import {
  DEFAULT_REDACTION_KINDS,
  REDACTION_KINDS,
  isRedactionKind,
  type RedactionKind,
} from './redaction-kinds.js';
import { collapseStackTraces } from './stack-traces.js';

export interface SanitizeOptions {
  /** Exactly the kinds to apply. Default {@link DEFAULT_REDACTION_KINDS}. */
  readonly kinds?: Iterable<RedactionKind>;
}

export interface SanitizeResult {
  text: string;
  /** Whether `text` differs from the input. */
  changed: boolean;
  /** Replacements made, per kind (a collapsed stack trace counts once). Every kind is present. */
  redactions: Record<RedactionKind, number>;
}

/**
 * Removes secrets and personal data from free text: keys and tokens become
 * `[REDACTED:<kind>]`, home directories become `~`, stack traces shrink to one line. Pure and
 * idempotent: sanitising the output again changes nothing. Time is linear in `text.length`.
 *
 * @example
 * const r = sanitizeText('auth failed for bob@example.com with password=hunter2');
 * r.text // 'auth failed for [REDACTED:email] with password=[REDACTED:secret_assignment]'
 * r.redactions.email // 1
 * sanitizeText('x', { kinds: [...DEFAULT_REDACTION_KINDS, 'ip_address'] }) // also IPv4
 */
export function sanitizeText(text: string, options: SanitizeOptions = {}): SanitizeResult {
  const enabled = new Set<RedactionKind>(options.kinds ?? DEFAULT_REDACTION_KINDS);
  for (const kind of enabled) {
    if (!isRedactionKind(kind)) {
      throw new VigilError(
        'VIGIL_ERR_USAGE',
        `Unknown redaction kind: ${String(kind)}. Use one of ${REDACTION_KINDS.join(', ')}.`,
      );
    }
  }
  const counts = Object.fromEntries(REDACTION_KINDS.map((k) => [k, 0])) as Record<
    RedactionKind,
    number
  >;
  let out = text;
  if (enabled.has('private_key')) out = redactPrivateKeys(out, counts);
  if (enabled.has('stack_trace')) out = collapseStackTraces(out, counts);
  const passes = INLINE_PASSES.filter((p) => enabled.has(p.kind));
  // One redaction can expose another (a shorter path segment, a new neighbour), so repeat until
  // nothing changes: the result is then a fixed point, which is what makes the function
  // idempotent. Rarely more than two rounds; capped so time stays linear.
  for (let round = 0; round < MAX_ROUNDS && passes.length > 0; round++) {
    const before = out;
    const pieces = splitPieces(out);
    for (let i = 0; i < pieces.length; i++) {
      let piece = pieces[i] ?? '';
      for (const pass of passes) piece = applyPass(piece, pass, counts);
      pieces[i] = piece;
    }
    out = pieces.join('');
    if (out === before) break;
    // A redaction can make a line a frame (`at k="a b" (f:1:2)` loses its space).
    if (enabled.has('stack_trace')) out = collapseStackTraces(out, counts);
  }
  return { text: out, changed: out !== text, redactions: counts };
}

const MAX_ROUNDS = 4;

// Chunking: the inline passes see pieces of at most 64 KiB.
const PIECE = 64 * 1024;

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 13;
}

/** Cuts after a newline in the last half of each 64 KiB window, else after a blank, else at it. */
function splitPieces(text: string): string[] {
  if (text.length <= PIECE) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > PIECE) {
    const limit = start + PIECE;
    const floor = start + PIECE / 2;
    let cut = -1;
    for (let k = limit - 1; k >= floor && cut < 0; k--) if (text.charCodeAt(k) === 10) cut = k + 1;
    for (let k = limit - 1; k >= floor && cut < 0; k--)
      if (isBlank(text.charCodeAt(k))) cut = k + 1;
    if (cut < 0) {
      const code = text.charCodeAt(limit - 1);
      cut = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit; // keep surrogate pairs whole
    }
    pieces.push(text.slice(start, cut));
    start = cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}
