import { PEM_BEGIN, PEM_END } from './patterns.js';
import { mark, type RedactionKind } from './redaction-kinds.js';

const MAX_PEM_BODY = 64 * 1024;

/** BEGIN ... END becomes one marker; a BEGIN with no END (truncated text) runs to the end. */
export function redactPrivateKeys(text: string, counts: Record<RedactionKind, number>): string {
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
