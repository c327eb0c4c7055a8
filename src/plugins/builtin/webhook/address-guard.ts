import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, isIPv4, isIPv6 } from 'node:net';

/** Resolves a host name to all its addresses (node:dns `lookup` with `all: true`). */
export type ResolveAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** Host names of cloud instance-metadata services, refused without resolving them. */
export const METADATA_HOSTNAMES: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

/** Metadata addresses outside the link-local ranges (AWS IPv6, Alibaba Cloud). */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set(['fd00:ec2::254', '100.100.100.200']);

/** A webhook target refused by the address rule; never retried. */
export class RefusedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedAddressError';
  }
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (zone id dropped), or null when it is not one. */
export function parseIPv6(text: string): number[] | null {
  let ip = text.split('%')[0] ?? '';
  if (!isIPv6(ip)) return null;
  let tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (dotted?.[1] && dotted[2]) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(dotted[2]);
    tail = [(a << 8) | b, (c << 8) | d];
    ip = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const [left = '', right] = ip.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const gap = right === undefined ? 0 : 8 - tail.length - l.length - r.length;
  const words = [...l, ...new Array<number>(Math.max(0, gap)).fill(0), ...r, ...tail];
  if (words.length !== 8) return null;
  return words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
}

function v4Reason(b: readonly number[]): string | null {
  const text = b.join('.');
  if (METADATA_ADDRESSES.has(text)) return `${text} is a cloud metadata address`;
  if (b[0] === 169 && b[1] === 254) {
    return text === '169.254.169.254'
      ? `${text} is the cloud metadata address`
      : `${text} is link-local (169.254.0.0/16)`;
  }
  return null;
}

/**
 * Why an address is refused as a webhook target, or null when it is allowed. Refused:
 * link-local (169.254.0.0/16, fe80::/10) and cloud metadata addresses (169.254.169.254,
 * fd00:ec2::254, 100.100.100.200), also when written as IPv4-mapped, IPv4-compatible or
 * NAT64 (64:ff9b::/96) IPv6. Loopback and private (RFC 1918, fc00::/7) ranges are allowed.
 *
 * @example
 * refusedAddressReason('169.254.169.254') // '169.254.169.254 is the cloud metadata address'
 * refusedAddressReason('::ffff:169.254.1.1') // '169.254.1.1 is link-local (169.254.0.0/16)'
 * refusedAddressReason('127.0.0.1') // null
 */
export function refusedAddressReason(ip: string): string | null {
  if (isIPv4(ip)) return v4Reason(ipv4Bytes(ip));
  const b = parseIPv6(ip);
  if (!b) return null;
  const hex = ip.split('%')[0]?.toLowerCase() ?? '';
  if (b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80) return `${hex} is link-local (fe80::/10)`;
  const words = Array.from({ length: 8 }, (_, i) => ((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  const canonical = words.map((w) => w.toString(16)).join(':');
  if (canonical === 'fd00:ec2:0:0:0:0:0:254') return `${hex} is the cloud metadata address`;
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const mapped = zero(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const compatible = zero(0, 12) && !zero(12, 16);
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && zero(4, 12);
  if (mapped || compatible || nat64) return v4Reason(b.slice(12, 16));
  return null;
}

/**
 * Why a host name is refused without resolving it (a metadata service name), or null.
 *
 * @example
 * refusedHostnameReason('Metadata.Google.Internal.') // 'metadata.google.internal is a cloud metadata host name'
 */
export function refusedHostnameReason(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return METADATA_HOSTNAMES.has(name) ? `${name} is a cloud metadata host name` : null;
}

/** A URL's host without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Checks a URL's scheme and literal host without any network access: only http and https;
 * metadata names and refused literal addresses are refused unless `allowUnsafe`.
 * Throws a {@link RefusedAddressError}.
 *
 * @example
 * checkWebhookUrl(new URL('http://169.254.169.254/'), false) // throws
 */
export function checkWebhookUrl(url: URL, allowUnsafe: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedAddressError(
      `${url.protocol.replace(/:$/, '')}: only http and https URLs are allowed`,
    );
  }
  if (allowUnsafe) return;
  const host = bareHost(url);
  const reason = isIP(host) ? refusedAddressReason(host) : refusedHostnameReason(host);
  if (reason) throw new RefusedAddressError(`refused: ${reason}`);
}

/**
 * Resolves a webhook URL's host to the one address to connect to: every address it resolves
 * to is checked, and any refused one refuses the whole name (unless `allowUnsafe`). The caller
 * connects to the returned address, so a second DNS answer cannot switch it (DNS rebinding).
 *
 * @example
 * await resolveWebhookTarget(new URL('https://hooks.example.com/x'), false)
 * // { address: '93.184.215.14', family: 4 }
 */
export async function resolveWebhookTarget(
  url: URL,
  allowUnsafe: boolean,
  resolveAll: ResolveAll = (name) => dnsLookup(name, { all: true, verbatim: true }),
): Promise<{ address: string; family: number }> {
  checkWebhookUrl(url, allowUnsafe);
  const host = bareHost(url);
  const family = isIP(host);
  if (family !== 0) return { address: host, family };
  const addresses = await resolveAll(host);
  const first = addresses[0];
  if (!first) throw new Error(`${host} resolved to no address`);
  if (!allowUnsafe) {
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address);
      if (reason)
        throw new RefusedAddressError(`refused: ${host} resolves to ${address}; ${reason}`);
    }
  }
  return first;
}
