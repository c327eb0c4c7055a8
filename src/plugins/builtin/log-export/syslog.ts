import type { RecordLevel } from './structured.js';

/** RFC 5424 severities used for record levels: ERROR → 3 (err), WARN → 4, INFO → 6. */
export const LEVEL_SEVERITY: Readonly<Record<RecordLevel, number>> = {
  ERROR: 3,
  WARN: 4,
  INFO: 6,
};

/** The parts of an RFC 5424 header that stay the same for every message of a sender. */
export interface SyslogSender {
  /** Facility code 0-23 (local0 = 16). */
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
  /** The SD-ID of the one SD-ELEMENT, e.g. `vigil@32473`. */
  sdId: string;
}

export interface SyslogMessageInput {
  severity: number;
  /** ISO-8601 UTC; anything not an RFC 3339 timestamp becomes the NILVALUE `-`. */
  timestamp: string;
  /** The event type; cut to RFC 5424's 32 printable characters. */
  msgId: string;
  /** SD-PARAMs of the SD-ELEMENT, in order; values are escaped here. */
  params: readonly (readonly [string, string])[];
  /** The message body (the JSON record), sent as UTF-8 without a BOM. */
  msg: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A header field as RFC 5424 allows it: printable US-ASCII (33-126), at most `max`
 * characters; anything else becomes `_`, an empty value the NILVALUE `-`.
 *
 * @example
 * headerField('task done', 32) // 'task_done'
 */
export function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

/**
 * Escapes an SD-PARAM value: `"`, `\` and `]` get a backslash (RFC 5424 §6.3.3).
 *
 * @example
 * escapeParamValue('a"b\\c]d') // 'a\\"b\\\\c\\]d'
 */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** An SD-NAME (PARAM-NAME): printable ASCII except `=`, space, `]` and `"`, at most 32. */
function paramName(name: string): string {
  return name.replace(/[^\x21-\x7e]|[= \]"]/g, '_').slice(0, 32) || '_';
}

function structuredData(sdId: string, params: SyslogMessageInput['params']): string {
  const body = params.map(([k, v]) => ` ${paramName(k)}="${escapeParamValue(v)}"`).join('');
  return `[${sdId}${body}]`;
}

/** The longest prefix of `buf` of at most `max` bytes that does not split a UTF-8 character. */
function utf8Prefix(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = Math.max(0, max);
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return buf.subarray(0, end);
}

export interface FormattedSyslogMessage {
  message: Buffer;
  /** The body's length in bytes before it was cut to fit, or null when it fitted. */
  truncatedFrom: number | null;
}

/**
 * Formats one RFC 5424 message:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID k="v" ...] MSG`, where PRI is
 * facility × 8 + severity. With `maxBytes` (UDP), a body that does not fit is cut at a
 * character boundary and the SD-ELEMENT gets `truncated="<original body bytes>"`.
 *
 * @example
 * formatSyslogMessage(
 *   { severity: 6, timestamp: '2026-02-17T14:30:00.000Z', msgId: 'review_complete',
 *     params: [['event_id', 'e1']], msg: '{"level":"INFO"}' },
 *   { facility: 16, hostname: 'build-01', appName: 'vigil', procId: '4242', sdId: 'vigil@32473' },
 * ).message.toString()
 * // '<134>1 2026-02-17T14:30:00.000Z build-01 vigil 4242 review_complete [vigil@32473 event_id="e1"] {"level":"INFO"}'
 */
export function formatSyslogMessage(
  input: SyslogMessageInput,
  sender: SyslogSender,
  maxBytes?: number,
): FormattedSyslogMessage {
  const pri = sender.facility * 8 + input.severity;
  const timestamp = RFC3339.test(input.timestamp) ? input.timestamp : '-';
  const head =
    `<${pri}>1 ${timestamp} ${headerField(sender.hostname, 255)} ` +
    `${headerField(sender.appName, 48)} ${headerField(sender.procId, 128)} ` +
    `${headerField(input.msgId, 32)} `;
  const body = Buffer.from(input.msg, 'utf8');
  const whole = Buffer.from(`${head}${structuredData(sender.sdId, input.params)} `, 'utf8');
  if (maxBytes === undefined || whole.length + body.length <= maxBytes) {
    return { message: Buffer.concat([whole, body]), truncatedFrom: null };
  }
  const params = [...input.params, ['truncated', String(body.length)] as const];
  const cut = Buffer.from(`${head}${structuredData(sender.sdId, params)} `, 'utf8');
  const room = maxBytes - cut.length;
  const message = Buffer.concat([cut, utf8Prefix(body, room)]).subarray(0, maxBytes);
  return { message, truncatedFrom: body.length };
}

/**
 * Frames a message for syslog over TCP with octet counting (RFC 6587 §3.4.1):
 * `MSG-LEN SP SYSLOG-MSG`, the length in bytes.
 *
 * @example
 * frameOctetCounted(Buffer.from('<134>1 - - vigil - - - hi')).toString() // '25 <134>1 - - vigil - - - hi'
 */
export function frameOctetCounted(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
