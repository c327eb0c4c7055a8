import { describe, expect, it } from 'vitest';

import {
  checkWebhookUrl,
  parseIPv6,
  RefusedAddressError,
  refusedAddressReason,
  refusedHostnameReason,
  resolveWebhookTarget,
} from './address-guard.js';

describe('refusedAddressReason', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    '169.254.170.2',
    '169.254.255.255',
    '100.100.100.200',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1',
    'fd00:ec2::254',
    'FD00:0EC2:0000:0000:0000:0000:0000:0254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::169.254.1.1',
    '64:ff9b::169.254.169.254',
    '64:ff9b::a9fe:1',
  ])('refuses %s', (ip) => {
    expect(refusedAddressReason(ip)).toMatch(/link-local|metadata/);
  });

  it.each([
    '127.0.0.1',
    '::1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.10',
    '100.100.100.201',
    '169.253.255.255',
    '169.255.0.1',
    '8.8.8.8',
    'fec0::1',
    'fd00:ec2::253',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '::',
  ])('allows %s', (ip) => {
    expect(refusedAddressReason(ip)).toBeNull();
  });

  it('reads IPv6 with :: anywhere and embedded IPv4', () => {
    expect(parseIPv6('1::')).toEqual([0, 1, ...new Array(14).fill(0)]);
    expect(parseIPv6('::ffff:1.2.3.4')?.slice(10)).toEqual([255, 255, 1, 2, 3, 4]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')?.at(-1)).toBe(8);
    expect(parseIPv6('not an address')).toBeNull();
  });
});

describe('refusedHostnameReason', () => {
  it('refuses metadata names in any case, with or without the final dot', () => {
    for (const name of [
      'metadata.google.internal',
      'METADATA.GOOGLE.INTERNAL.',
      'metadata',
      'instance-data',
    ]) {
      expect(refusedHostnameReason(name)).toMatch(/metadata host name/);
    }
    expect(refusedHostnameReason('hooks.example.com')).toBeNull();
    expect(refusedHostnameReason('metadata.example.com')).toBeNull();
  });
});

describe('checkWebhookUrl', () => {
  it('allows http and https only', () => {
    expect(() => checkWebhookUrl(new URL('file:///etc/passwd'), false)).toThrow(
      /only http and https/,
    );
    expect(() => checkWebhookUrl(new URL('ftp://example.com/'), true)).toThrow(
      /only http and https/,
    );
    expect(() => checkWebhookUrl(new URL('https://hooks.example.com/x'), false)).not.toThrow();
  });

  it('refuses literal link-local and metadata hosts, also in the forms URLs normalise', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://0xa9fea9fe/',
      'http://2852039166/',
      'http://169.254.43518/',
      'http://metadata.google.internal/computeMetadata/v1/',
    ]) {
      expect(() => checkWebhookUrl(new URL(url), false), url).toThrow(RefusedAddressError);
      expect(() => checkWebhookUrl(new URL(url), true), url).not.toThrow();
    }
    expect(() => checkWebhookUrl(new URL('http://127.0.0.1:9/'), false)).not.toThrow();
    expect(() => checkWebhookUrl(new URL('http://[::1]:9/'), false)).not.toThrow();
  });
});

describe('resolveWebhookTarget', () => {
  const resolver = (answers: Record<string, string[]>) => async (name: string) =>
    (answers[name] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name when any of its addresses is link-local or metadata', async () => {
    const resolveAll = resolver({
      'evil.example': ['93.184.215.14', '169.254.169.254'],
      'v6.example': ['2001:db8::5', 'fe80::abcd'],
    });
    await expect(
      resolveWebhookTarget(new URL('http://evil.example/'), false, resolveAll),
    ).rejects.toThrow(/evil\.example resolves to 169\.254\.169\.254/);
    await expect(
      resolveWebhookTarget(new URL('http://v6.example/'), false, resolveAll),
    ).rejects.toThrow(RefusedAddressError);
    await expect(
      resolveWebhookTarget(new URL('http://evil.example/'), true, resolveAll),
    ).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('returns the first checked address of a good name, and literal addresses as they are', async () => {
    const resolveAll = resolver({ 'hooks.example': ['10.0.0.5', '10.0.0.6'] });
    await expect(
      resolveWebhookTarget(new URL('https://hooks.example/x'), false, resolveAll),
    ).resolves.toEqual({
      address: '10.0.0.5',
      family: 4,
    });
    await expect(
      resolveWebhookTarget(new URL('http://[::1]:8080/'), false, resolveAll),
    ).resolves.toEqual({
      address: '::1',
      family: 6,
    });
    await expect(
      resolveWebhookTarget(new URL('http://nowhere.example/'), false, resolveAll),
    ).rejects.toThrow(/resolved to no address/);
  });
});
