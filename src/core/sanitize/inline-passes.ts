import {
  API_KEY,
  BEARER_TOKEN,
  EMAIL,
  HOME_UNIX,
  HOME_WINDOWS,
  IPV4,
  JWT,
  URL_CREDENTIALS,
} from './patterns.js';
import { mark, type RedactionKind } from './redaction-kinds.js';
import { redactAssignments } from './secret-assignment.js';

// Inline patterns: each piece of at most 64 KiB, one pattern family at a time.

type Groups = Record<string, string | undefined>;

interface InlinePass {
  readonly kind: RedactionKind;
  /** Cheap substring test; the pass is skipped when it fails. */
  readonly hint: (text: string) => boolean;
  /** Redacts every occurrence in `text` and returns how many. */
  readonly run: (text: string) => { text: string; count: number };
}

export function applyPass(
  text: string,
  pass: InlinePass,
  counts: Record<RedactionKind, number>,
): string {
  if (!pass.hint(text)) return text;
  const result = pass.run(text);
  counts[pass.kind] += result.count;
  return result.text;
}

/** A pass of global regexes; `replace` gives the text for one match, or null to keep it. */
function regexPass(
  kind: RedactionKind,
  hint: (text: string) => boolean,
  patterns: readonly RegExp[],
  replace: (match: string, groups: Groups) => string | null,
): InlinePass {
  const run = (text: string): { text: string; count: number } => {
    let out = text;
    let count = 0;
    for (const re of patterns) {
      const input = out;
      let kept = 0;
      out = '';
      re.lastIndex = 0;
      for (let m = re.exec(input); m !== null; m = re.exec(input)) {
        const replaced = replace(m[0], m.groups ?? {});
        if (replaced === null) {
          // Look again one character on, so a rejected match cannot hide one inside it.
          re.lastIndex = m.index + 1;
          continue;
        }
        out += input.slice(kept, m.index) + replaced;
        kept = m.index + m[0].length;
        count++;
      }
      out += input.slice(kept);
    }
    return { text: out, count };
  };
  return { kind, hint, run };
}

/** A bearer "value" that is an ordinary word ("bearer authentication") is prose, not a token. */
const isPlainWord = (s: string): boolean => /^[A-Za-z-]{1,4096}$/.test(s) && !/[a-z][A-Z]/.test(s);

// Profile folders that belong to no one person.
const SHARED_PROFILES = new Set(['Shared', 'Public', 'Default', 'All Users', 'Guest']);

/** The passes after private keys and stack traces, in `REDACTION_KINDS` order. */
export const INLINE_PASSES: readonly InlinePass[] = [
  regexPass(
    'home_path',
    (t) => t.includes('/home/') || t.includes('/Users/') || /sers[\\/]/i.test(t),
    [HOME_WINDOWS, HOME_UNIX],
    (match, g) => {
      const user = g.spaced ?? g.user ?? '';
      if (SHARED_PROFILES.has(user)) return null;
      if (g.spaced !== undefined) return `~${g.sep ?? '\\'}`;
      if (g.slash !== undefined) return '~/';
      // No separator after the name: a trailing dot is the sentence's, not the name's.
      return `~${/\.*$/.exec(user)?.[0] ?? ''}`;
    },
  ),
  regexPass(
    'jwt',
    (t) => t.includes('eyJ'),
    [JWT],
    () => mark('jwt'),
  ),
  regexPass(
    'api_key',
    () => true,
    [API_KEY],
    (match, g) => {
      // Generic prefixes need a digit and a letter, so `sk-` + dashes or a slug is left alone.
      const body = (g.sk ?? g.slack)?.replace(/^[a-z]{2,4}-/, '');
      if (body !== undefined && !(/\d/.test(body) && /[A-Za-z]/.test(body))) return null;
      return mark('api_key');
    },
  ),
  regexPass(
    'url_credentials',
    (t) => t.includes('://'),
    [URL_CREDENTIALS],
    (match, g) =>
      // Already redacted: the user part of "[REDACTED:url_credentials]" is "[REDACTED".
      (g.user ?? '').startsWith('[REDACTED')
        ? null
        : `${g.scheme ?? ''}://${mark('url_credentials')}@`,
  ),
  regexPass(
    'bearer_token',
    () => true,
    [BEARER_TOKEN],
    (match, g) => {
      const v = g.v ?? '';
      return isPlainWord(v) ? null : match.slice(0, match.length - v.length) + mark('bearer_token');
    },
  ),
  {
    kind: 'secret_assignment',
    hint: (t) => t.includes('=') || t.includes(':'),
    run: redactAssignments,
  },
  regexPass(
    'email',
    (t) => t.includes('@'),
    [EMAIL],
    (match, g) => {
      const tld = (g.domain ?? '').slice((g.domain ?? '').lastIndexOf('.') + 1);
      return g.local === 'git' || !/^[A-Za-z]{2,24}$/.test(tld) ? null : mark('email');
    },
  ),
  regexPass(
    'ip_address',
    (t) => t.includes('.'),
    [IPV4],
    (match) => {
      const octets = match.split('.').map(Number);
      if (octets.some((o) => o > 255) || octets[0] === 127 || match === '0.0.0.0') return null;
      return mark('ip_address');
    },
  ),
];
