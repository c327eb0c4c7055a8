/**
 * Secret and PII scrubbing for stored free text (seed 003: `sanitize --field error_message`).
 *
 * How running time stays linear in the input (RELIABILITY.md D3):
 * - No regex has a quantifier nested inside another quantifier unless the inner part starts with
 *   a literal the outer repeat cannot otherwise match (`(?:\.label){1,8}`, `(?:[^"\\]|\\.)`), so
 *   there is at most one way to split any input between them.
 * - Every repeat has an upper bound (`{1,64}` ... `{1,4096}`), so one match attempt costs at
 *   most a fixed number of steps, however the attempt ends.
 * - Token patterns start on a literal prefix (`sk-`, `eyJ`, `-----BEGIN `) or behind a
 *   lookbehind that only admits the first character of a run (`(?<![\w-])`), so an attempt that
 *   scans a run of characters is made once per run, not once per character of it.
 * - A match that is found and then rejected (not a secret) is retried one character on, which
 *   the lookbehinds make cheap. `key = value` is matched in two steps, the bounded key first and
 *   the value only after a secret key, so no long value is scanned once per `=` inside it.
 * - Private keys and stack traces are found with indexOf and line-by-line checks, not regexes
 *   that cross lines; every other pattern stays inside one line. Text is cut into pieces of at
 *   most 64 KiB (at a newline, else at a space, else anywhere) so no single call works on more.
 * - The inline passes repeat until nothing changes (for idempotence), at most MAX_ROUNDS times.
 * Together: O(n) steps with a constant of at most a few thousand, however hostile the text.
 */
import { VigilError } from './errors.js';

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
 * True when `name` is one of {@link REDACTION_KINDS}; for parsing a CLI flag.
 *
 * @example
 * isRedactionKind('email') // true
 * isRedactionKind('emails') // false
 */
export function isRedactionKind(name: string): name is RedactionKind {
  return (REDACTION_KINDS as readonly string[]).includes(name);
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
const mark = (kind: RedactionKind): string => `[REDACTED:${kind}]`;
const MARK_PREFIX = '[REDACTED:';

/**
 * A global regex that never starts right after a marker. A marker ends in `]` where the original
 * token ended in a letter or digit; without this, a pattern blocked by that letter on the first
 * run could match on the second, and the function would not be idempotent.
 */
const rx = (source: string, flags = 'g'): RegExp =>
  new RegExp(String.raw`(?<!\[REDACTED:[a-z_]{1,20}\])` + source, flags);

// ---------------------------------------------------------------------------------------------
// Private keys: whole text, literal search.

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;
const MAX_PEM_BODY = 64 * 1024;

/** BEGIN ... END becomes one marker; a BEGIN with no END (truncated text) runs to the end. */
function redactPrivateKeys(text: string, counts: Record<RedactionKind, number>): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let out = '';
  let pos = 0;
  let nextEnd = -1; // cached position of the next '-----END '; -2 once none is left
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m !== null; m = PEM_BEGIN.exec(text)) {
    const bodyStart = m.index + m[0].length;
    if (nextEnd !== -2 && nextEnd < bodyStart) {
      nextEnd = text.indexOf('-----END ', bodyStart);
      if (nextEnd === -1) nextEnd = -2;
    }
    let stop = text.length;
    if (nextEnd >= 0 && nextEnd - bodyStart <= MAX_PEM_BODY) {
      PEM_END.lastIndex = nextEnd;
      stop = PEM_END.test(text) ? PEM_END.lastIndex : nextEnd + '-----END '.length;
    }
    out += text.slice(pos, m.index) + mark('private_key');
    counts.private_key++;
    pos = stop;
    if (stop >= text.length) break;
    PEM_BEGIN.lastIndex = stop;
  }
  return out + text.slice(pos);
}

// ---------------------------------------------------------------------------------------------
// Stack traces: line by line.

const PY_HEADER = 'Traceback (most recent call last):';
// The part after "at " of a JS/Java frame: "fn (file:1:2)", "pkg.Cls.m(Cls.java:3)", "file:1:2".
const FRAME_PAREN =
  /^(?:async |new )?[^\s()]{1,512}(?: \[as [^\s\]]{1,128}\])? ?\((?:[^()]{0,1024}:\d{1,9}|<anonymous>|native|Native Method|Unknown Source|index \d{1,9})\)$/;
const FRAME_BARE = /^(?:async )?[^\s()]{1,1024}:\d{1,9}(?::\d{1,9})?$|^<anonymous>$/;
const JAVA_MORE = /^\.\.\. \d{1,9} more$/;
const MAX_FRAME_LINE = 2048;

function leadingBlanks(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

/** 1 for a frame line, 0.5 for Java's "... 3 more" (part of a trace, not a frame), else 0. */
function frameWeight(line: string): number {
  if (line.length > MAX_FRAME_LINE) return 0;
  const indent = leadingBlanks(line);
  if (indent === 0) return 0;
  const rest = line.slice(indent).trimEnd();
  if (rest.startsWith('at ')) {
    const call = rest.slice(3);
    return FRAME_PAREN.test(call) || FRAME_BARE.test(call) ? 1 : 0;
  }
  return JAVA_MORE.test(rest) ? 0.5 : 0;
}

const stackMarker = (indent: string, frames: number, cr: boolean): string =>
  `${indent}[stack trace removed: ${frames} frame${frames === 1 ? '' : 's'}]${cr ? '\r' : ''}`;

/**
 * A Python `Traceback (most recent call last):` header and the indented lines under it, or a run
 * of `    at ...` frames, become one marker line. The error line (after a Python block, before
 * JS/Java frames) is kept.
 */
function collapseStackTraces(text: string, counts: Record<RedactionKind, number>): string {
  if (!text.includes('Traceback (most recent call last):') && !text.includes('at ')) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const indent = leadingBlanks(line);
    if (line.length < 256 && line.trim() === PY_HEADER) {
      let j = i + 1;
      let frames = 0;
      for (; j < lines.length; j++) {
        const next = lines[j] ?? '';
        if (next.trim() === '' || leadingBlanks(next) <= indent) break;
        if (next.trimStart().startsWith('File "')) frames++;
      }
      if (j > i + 1) {
        out.push(stackMarker(line.slice(0, indent), frames, line.endsWith('\r')));
        counts.stack_trace++;
        i = j;
        continue;
      }
    } else if (frameWeight(line) === 1) {
      let j = i;
      let frames = 0;
      for (; j < lines.length; j++) {
        const w = frameWeight(lines[j] ?? '');
        if (w === 0) break;
        if (w === 1) frames++;
      }
      out.push(stackMarker(line.slice(0, indent), frames, (lines[j - 1] ?? '').endsWith('\r')));
      counts.stack_trace++;
      i = j;
      continue;
    }
    out.push(line);
    i++;
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Inline patterns: each piece of at most 64 KiB, one pattern family at a time.

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

type Groups = Record<string, string | undefined>;

interface InlinePass {
  readonly kind: RedactionKind;
  /** Cheap substring test; the pass is skipped when it fails. */
  readonly hint: (text: string) => boolean;
  /** Redacts every occurrence in `text` and returns how many. */
  readonly run: (text: string) => { text: string; count: number };
}

function applyPass(text: string, pass: InlinePass, counts: Record<RedactionKind, number>): string {
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

const API_KEY = rx(
  String.raw`(?<![\w-])(?:(?<sk>sk-[\w-]{20,1024})|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_\w{22,255}` +
    String.raw`|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|AIza[\w-]{35}|(?<slack>xox[abpr]-[A-Za-z0-9-]{10,255})` +
    String.raw`|[sr]k_(?:live|test)_[A-Za-z0-9]{10,255})`,
);

// `key: value` in two steps: the key (cheap, bounded) and, only for a secret key, the value,
// so a long value after an ordinary key (`a=a=a=…`) is never scanned more than once.
const SECRET_KEY = rx(
  String.raw`(?<![\w.])(?<key>[A-Za-z_][\w.-]{0,63})\\?["']?[ \t]{0,8}(?::=|=>|[:=])[ \t]{0,8}`,
);
const SECRET_VALUE = new RegExp(
  String.raw`\\"(?<v1>[^"\\\r\n]{1,1024})(?<c1>\\")?` +
    String.raw`|"(?<v2>(?:[^"\\\r\n]|\\.){1,1024})(?<c2>")?` +
    String.raw`|'(?<v3>(?:[^'\\\r\n]|\\.){1,1024})(?<c3>')?` +
    String.raw`|(?:(?:[Bb]earer|[Bb]asic|[Tt]oken|[Dd]igest)[ \t]{1,4})?` +
    String.raw`(?<v4>[^\s"'\x60,;&\\\[\]{}()<>:=][^\s"'\x60,;&\]})>]{0,1023})`,
  'y',
);
const SCHEME_WORD = /^(?:bearer|basic|token|digest)$/i;

function redactAssignments(text: string): { text: string; count: number } {
  let out = '';
  let kept = 0;
  let count = 0;
  SECRET_KEY.lastIndex = 0;
  for (let m = SECRET_KEY.exec(text); m !== null; m = SECRET_KEY.exec(text)) {
    if (!isSecretKey(m.groups?.key ?? '')) {
      SECRET_KEY.lastIndex = m.index + 1;
      continue;
    }
    SECRET_VALUE.lastIndex = m.index + m[0].length;
    const v = SECRET_VALUE.exec(text);
    if (v === null) {
      SECRET_KEY.lastIndex = m.index + 1;
      continue;
    }
    const end = SECRET_VALUE.lastIndex;
    SECRET_KEY.lastIndex = end; // a value is read once, never again as keys
    const g = v.groups ?? {};
    const value = g.v1 ?? g.v2 ?? g.v3 ?? g.v4 ?? '';
    // Already redacted, a placeholder, or just the scheme word of
    // "Authorization: Bearer [REDACTED:bearer_token]".
    if (value.includes(MARK_PREFIX) || PLACEHOLDER.test(value)) continue;
    if (g.v4 !== undefined && SCHEME_WORD.test(value)) continue;
    const close = g.c1 ?? g.c2 ?? g.c3 ?? '';
    out += text.slice(kept, end - close.length - value.length) + mark('secret_assignment') + close;
    kept = end;
    count++;
  }
  return { text: out + text.slice(kept), count };
}

// Key segments (split on _ . - and camelCase) that make an assignment secret.
const SECRET_WORDS = ['password', 'passwords', 'passwd', 'passphrase', 'secret', 'secrets'];
const SECRET_SEGMENTS = ['apikey', 'apikeys', 'credential', 'credentials', 'authorization'];
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'signing', 'encryption']);
const METADATA_SUFFIXES = new Set(
  'name names id ids arn path file dir type types count length len policy version ref required provided present set enabled env var hint prompt field label min max expiry expires expiration ttl rotation'.split(
    ' ',
  ),
);
const PLACEHOLDER = /^(?:null|none|nil|undefined|true|false|\*{1,64})$/i;

/** Whether a key such as `DB_PASSWORD`, `apiKey` or `x-auth-token` names a secret. */
function isSecretKey(key: string): boolean {
  if (key.length < 3) return false; // shortest: pwd
  const segs = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_.-]/)
    .filter((s) => s !== '');
  const last = segs[segs.length - 1];
  if (last === undefined || (segs.length > 1 && METADATA_SUFFIXES.has(last))) return false;
  if (segs.some((s) => SECRET_SEGMENTS.includes(s) || SECRET_WORDS.some((w) => s.endsWith(w)))) {
    return true;
  }
  if (last.endsWith('token') || last.endsWith('cookie')) return true;
  if (last === 'auth' || last === 'pwd' || last === 'pass') return true;
  return last === 'key' && KEY_QUALIFIERS.has(segs[segs.length - 2] ?? '');
}

/** A bearer "value" that is an ordinary word ("bearer authentication") is prose, not a token. */
const isPlainWord = (s: string): boolean => /^[A-Za-z-]{1,4096}$/.test(s) && !/[a-z][A-Z]/.test(s);

// Characters Windows does not allow in a user name, so a marker or `~` is never taken for one.
const WIN_BAD = String.raw`\\/:*?"<>|\[\];=,+`;
const HOME_WINDOWS = rx(
  String.raw`(?<!\w)[A-Za-z]:(?<sep>\\{1,2}|\/)[Uu]sers\k<sep>(?![~ ])` +
    String.raw`(?:(?<spaced>[^${WIN_BAD}\r\n\t]{1,64})\k<sep>|(?<user>[^${WIN_BAD}\s]{1,64})(?![^${WIN_BAD}\s]))`,
);
// Profile folders that belong to no one person.
const SHARED_PROFILES = new Set(['Shared', 'Public', 'Default', 'All Users', 'Guest']);
const HOME_UNIX = rx(
  String.raw`(?<![\w.~-])(?:\/var)?\/(?:home|Users)\/(?<user>[\w.-]{1,64})(?:(?<slash>\/)|(?![\w.-]))`,
);

const INLINE_PASSES: readonly InlinePass[] = [
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
    [rx(String.raw`(?<![\w-])eyJ[\w-]{5,4096}\.eyJ[\w-]{5,8192}\.[\w-]{0,4096}`)],
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
    [
      rx(
        String.raw`(?<![\w+.-])(?<scheme>[A-Za-z][\w+.-]{0,31}):\/\/(?<user>[^\s/?#@:]{0,256}):(?<pass>[^\s/?#]{1,256})@`,
      ),
    ],
    (match, g) =>
      // Already redacted: the user part of "[REDACTED:url_credentials]" is "[REDACTED".
      (g.user ?? '').startsWith('[REDACTED')
        ? null
        : `${g.scheme ?? ''}://${mark('url_credentials')}@`,
  ),
  regexPass(
    'bearer_token',
    () => true,
    [rx(String.raw`(?<![\w-])(?:bearer|basic)[ \t]{1,8}(?<v>[\w.~+/=-]{8,4096})`, 'gi')],
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
    [
      rx(
        String.raw`(?<![\w.%+-])(?<local>[\w.%+-]{1,64})@(?<domain>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})`,
      ),
    ],
    (match, g) => {
      const tld = (g.domain ?? '').slice((g.domain ?? '').lastIndexOf('.') + 1);
      return g.local === 'git' || !/^[A-Za-z]{2,24}$/.test(tld) ? null : mark('email');
    },
  ),
  regexPass(
    'ip_address',
    (t) => t.includes('.'),
    [rx(String.raw`(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)`)],
    (match) => {
      const octets = match.split('.').map(Number);
      if (octets.some((o) => o > 255) || octets[0] === 127 || match === '0.0.0.0') return null;
      return mark('ip_address');
    },
  ),
];
