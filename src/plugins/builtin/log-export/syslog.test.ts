import { describe, expect, it } from 'vitest';

import {
  escapeParamValue,
  formatSyslogMessage,
  frameOctetCounted,
  headerField,
  type SyslogSender,
} from './syslog.js';

const sender: SyslogSender = {
  facility: 16,
  hostname: 'build-01',
  appName: 'vigil',
  procId: '4242',
  sdId: 'vigil@32473',
};

/** RFC 5424's ABNF for a message with one SD-ELEMENT, as a regular expression. */
const RFC5424 =
  /^<(\d{1,3})>1 (\S+) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) (\[[\x21-\x7e]+?(?: [^=\s\]"]+="(?:[^"\\\]]|\\["\\\]])*")*\]) (.*)$/s;

describe('formatSyslogMessage', () => {
  it('writes PRI from facility and severity, VERSION 1, the header, SD and the JSON body', () => {
    const { message, truncatedFrom } = formatSyslogMessage(
      {
        severity: 6,
        timestamp: '2026-02-17T14:30:00.000Z',
        msgId: 'review_complete',
        params: [
          ['event_id', 'e1'],
          ['seq', '7'],
        ],
        msg: '{"level":"INFO","task_id":"TASK-001"}',
      },
      sender,
    );
    expect(truncatedFrom).toBeNull();
    expect(message.toString('utf8')).toBe(
      '<134>1 2026-02-17T14:30:00.000Z build-01 vigil 4242 review_complete ' +
        '[vigil@32473 event_id="e1" seq="7"] {"level":"INFO","task_id":"TASK-001"}',
    );
    expect(message.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
  });

  it.each([
    [0, 0, '<0>'],
    [16, 3, '<131>'],
    [16, 4, '<132>'],
    [23, 7, '<191>'],
    [1, 6, '<14>'],
  ])('facility %i severity %i is %s', (facility, severity, pri) => {
    const text = formatSyslogMessage(
      { severity, timestamp: '2026-02-17T14:30:00Z', msgId: 'x', params: [], msg: '{}' },
      { ...sender, facility },
    ).message.toString();
    expect(text.startsWith(`${pri}1 `)).toBe(true);
  });

  it('escapes " \\ and ] in SD-PARAM values and keeps the message parseable', () => {
    expect(escapeParamValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const text = formatSyslogMessage(
      {
        severity: 4,
        timestamp: '2026-02-17T14:30:00.000Z',
        msgId: 'bypass_activated',
        params: [['event_id', 'we"ird\\id]x']],
        msg: '{"reason":"a ] b"}',
      },
      sender,
    ).message.toString();
    const m = RFC5424.exec(text);
    expect(m).not.toBeNull();
    expect(m?.[7]).toBe('[vigil@32473 event_id="we\\"ird\\\\id\\]x"]');
    expect(m?.[8]).toBe('{"reason":"a ] b"}');
  });

  it('makes header fields printable ASCII of RFC 5424 length and a bad timestamp NILVALUE', () => {
    expect(headerField('task done', 32)).toBe('task_done');
    expect(headerField('', 32)).toBe('-');
    expect(headerField('x'.repeat(40), 32)).toHaveLength(32);
    const text = formatSyslogMessage(
      { severity: 6, timestamp: 'yesterday', msgId: 'é vent', params: [], msg: '{}' },
      sender,
    ).message.toString();
    expect(text).toBe('<134>1 - build-01 vigil 4242 __vent [vigil@32473] {}');
  });

  it('cuts a long body to maxBytes at a character boundary and marks it truncated', () => {
    const msg = JSON.stringify({ message: 'é'.repeat(2000) });
    const { message, truncatedFrom } = formatSyslogMessage(
      {
        severity: 6,
        timestamp: '2026-02-17T14:30:00.000Z',
        msgId: 'info',
        params: [['seq', '1']],
        msg,
      },
      sender,
      480,
    );
    expect(message.length).toBeLessThanOrEqual(480);
    expect(message.length).toBeGreaterThan(470);
    expect(truncatedFrom).toBe(Buffer.byteLength(msg));
    const text = message.toString('utf8');
    expect(text).not.toContain('\ufffd');
    expect(text).toContain(`[vigil@32473 seq="1" truncated="${Buffer.byteLength(msg)}"]`);
    expect(RFC5424.test(text)).toBe(true);
  });
});

describe('frameOctetCounted', () => {
  it('prefixes the byte length (not the character count) and a space', () => {
    const text = '<134>1 - h vigil - x - {"a":"é"}';
    expect(text).toHaveLength(32);
    const framed = frameOctetCounted(Buffer.from(text, 'utf8'));
    expect(framed.toString('utf8')).toBe(`33 ${text}`);
  });
});
