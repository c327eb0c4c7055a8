/**
 * The regexes that scan text, kept together so their shapes can be checked against the rules
 * below.
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

/**
 * A global regex that never starts right after a marker. A marker ends in `]` where the original
 * token ended in a letter or digit; without this, a pattern blocked by that letter on the first
 * run could match on the second, and the function would not be idempotent.
 */
const rx = (source: string, flags = 'g'): RegExp =>
  new RegExp(String.raw`(?<!\[REDACTED:[a-z_]{1,20}\])` + source, flags);

// Private keys: whole text, literal search.
export const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
export const PEM_END = /-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;

// Characters Windows does not allow in a user name, so a marker or `~` is never taken for one.
const WIN_BAD = String.raw`\\/:*?"<>|\[\];=,+`;
export const HOME_WINDOWS = rx(
  String.raw`(?<!\w)[A-Za-z]:(?<sep>\\{1,2}|\/)[Uu]sers\k<sep>(?![~ ])` +
    String.raw`(?:(?<spaced>[^${WIN_BAD}\r\n\t]{1,64})\k<sep>|(?<user>[^${WIN_BAD}\s]{1,64})(?![^${WIN_BAD}\s]))`,
);
export const HOME_UNIX = rx(
  String.raw`(?<![\w.~-])(?:\/var)?\/(?:home|Users)\/(?<user>[\w.-]{1,64})(?:(?<slash>\/)|(?![\w.-]))`,
);

export const JWT = rx(String.raw`(?<![\w-])eyJ[\w-]{5,4096}\.eyJ[\w-]{5,8192}\.[\w-]{0,4096}`);

export const API_KEY = rx(
  String.raw`(?<![\w-])(?:(?<sk>sk-[\w-]{20,1024})|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_\w{22,255}` +
    String.raw`|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|AIza[\w-]{35}|(?<slack>xox[abpr]-[A-Za-z0-9-]{10,255})` +
    String.raw`|[sr]k_(?:live|test)_[A-Za-z0-9]{10,255})`,
);

export const URL_CREDENTIALS = rx(
  String.raw`(?<![\w+.-])(?<scheme>[A-Za-z][\w+.-]{0,31}):\/\/(?<user>[^\s/?#@:]{0,256}):(?<pass>[^\s/?#]{1,256})@`,
);

export const BEARER_TOKEN = rx(
  String.raw`(?<![\w-])(?:bearer|basic)[ \t]{1,8}(?<v>[\w.~+/=-]{8,4096})`,
  'gi',
);

// `key: value` in two steps: the key (cheap, bounded) and, only for a secret key, the value,
// so a long value after an ordinary key (`a=a=a=…`) is never scanned more than once.
export const SECRET_KEY = rx(
  String.raw`(?<![\w.])(?<key>[A-Za-z_][\w.-]{0,63})\\?["']?[ \t]{0,8}(?::=|=>|[:=])[ \t]{0,8}`,
);
export const SECRET_VALUE = new RegExp(
  String.raw`\\"(?<v1>[^"\\\r\n]{1,1024})(?<c1>\\")?` +
    String.raw`|"(?<v2>(?:[^"\\\r\n]|\\.){1,1024})(?<c2>")?` +
    String.raw`|'(?<v3>(?:[^'\\\r\n]|\\.){1,1024})(?<c3>')?` +
    String.raw`|(?:(?:[Bb]earer|[Bb]asic|[Tt]oken|[Dd]igest)[ \t]{1,4})?` +
    String.raw`(?<v4>[^\s"'\x60,;&\\\[\]{}()<>:=][^\s"'\x60,;&\]})>]{0,1023})`,
  'y',
);

export const EMAIL = rx(
  String.raw`(?<![\w.%+-])(?<local>[\w.%+-]{1,64})@(?<domain>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})`,
);

export const IPV4 = rx(String.raw`(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)`);
