import { SECRET_KEY, SECRET_VALUE } from './patterns.js';
import { MARK_PREFIX, mark } from './redaction-kinds.js';

const SCHEME_WORD = /^(?:bearer|basic|token|digest)$/i;

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

/** `key = value` (or `key: value`) with a secret key keeps the key and loses the value. */
export function redactAssignments(text: string): { text: string; count: number } {
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
