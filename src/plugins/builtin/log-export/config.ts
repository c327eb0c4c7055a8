import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import { z } from 'zod';

import { EVENT_KINDS } from '../../../core/vocabulary.js';

/** Syslog facility names (RFC 5424 §6.2.1) and their codes. */
export const FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  'solaris-cron': 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;
export type FacilityName = keyof typeof FACILITIES;
const FACILITY_NAMES = Object.keys(FACILITIES) as [FacilityName, ...FacilityName[]];

export const LOG_EXPORT_TARGETS = ['file', 'syslog', 'stdout'] as const;
export const SYSLOG_PROTOCOLS = ['udp', 'tcp'] as const;

const int = (min: number, max: number, what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}` });

/** RFC 5424 PRINTUSASCII (33-126), 1..max characters. */
const printable = (max: number, what: string) =>
  z.string({ error: `expected ${what}` }).regex(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), {
    error: `expected ${what}: 1-${max} printable ASCII characters, no spaces`,
  });

const names = z.array(z.string({ error: 'expected a string' }).min(1), {
  error: 'expected an array of strings',
});

/**
 * `[plugins.log-export]` in vigil.toml; docs/log-export.md describes every key.
 *
 * @example
 * LogExportConfig.parse({ target: 'syslog', syslog_protocol: 'tcp' }).syslog_port // 514
 */
export const LogExportConfig = z.object({
  target: z
    .enum(LOG_EXPORT_TARGETS, { error: `expected one of ${LOG_EXPORT_TARGETS.join(', ')}` })
    .default('file'),
  path: z.string({ error: 'expected a file path' }).min(1).optional(),
  max_bytes: int(256, 2 ** 40, 'a size in bytes, at least 256').default(10 * 1024 * 1024),
  max_files: int(1, 1000, 'a number of rotated files 1-1000').default(5),
  syslog_host: z.string({ error: 'expected a host name or address' }).min(1).default('127.0.0.1'),
  syslog_port: int(1, 65_535, 'a port 1-65535').default(514),
  syslog_protocol: z
    .enum(SYSLOG_PROTOCOLS, { error: `expected one of ${SYSLOG_PROTOCOLS.join(', ')}` })
    .default('udp'),
  facility: z
    .enum(FACILITY_NAMES, { error: `expected a facility name such as local0 or user` })
    .default('local0'),
  app_name: printable(48, 'an APP-NAME').default('vigil'),
  hostname: printable(255, 'a HOSTNAME').optional(),
  structured_data_id: z
    .string({ error: 'expected an SD-ID' })
    .regex(/^[\x21-\x7e]{1,32}$/, { error: 'expected an SD-ID of 1-32 printable characters' })
    .refine((s) => !/[= \]"]/.test(s), { error: 'an SD-ID may not contain = ] " or spaces' })
    .refine((s) => !s.includes('@') || /^[^@]+@\d+(\.\d+)*$/.test(s), {
      error: 'expected NAME@ENTERPRISE-NUMBER, e.g. vigil@32473',
    })
    .default('vigil@32473'),
  udp_max_bytes: int(480, 65_000, 'a datagram size 480-65000').default(2048),
  max_buffer: int(1, 10_000_000, 'a number of records, at least 1').default(10_000),
  reconnect_max_ms: int(100, 3_600_000, 'milliseconds 100-3600000').default(30_000),
  flush_timeout_ms: int(0, 600_000, 'milliseconds 0-600000').default(3_000),
  source_prefix: printable(64, 'a source prefix').default('vigil'),
  include_types: names.optional(),
  include_kinds: z
    .array(z.enum(EVENT_KINDS, { error: `expected one of ${EVENT_KINDS.join(', ')}` }), {
      error: 'expected an array of event kinds',
    })
    .optional(),
  include_attrs: z.boolean({ error: 'expected true or false' }).default(false),
});
export type LogExportConfig = z.infer<typeof LogExportConfig>;

/** The defaults as the manifest's `[plugin.config]` (keys without a default are left out). */
export const LOG_EXPORT_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(LogExportConfig.parse({})).filter(([, v]) => v !== undefined),
);

/**
 * The file the file target writes: `path` with `~` expanded, relative to the folder Vigil runs
 * in, or `vigil-structured.jsonl` in the plugin's data folder.
 *
 * @example
 * resolveExportPath(undefined, '/data/plugins/log-export') // '/data/plugins/log-export/vigil-structured.jsonl'
 */
export function resolveExportPath(path: string | undefined, dataDir: string): string {
  if (path === undefined) return join(dataDir, 'vigil-structured.jsonl');
  const home = process.env['HOME'] ?? homedir();
  const expanded = path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}
