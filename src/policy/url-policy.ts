import { BlockList, isIP } from 'node:net';
import { UserInputError } from '../errors.js';
import type { InputPolicy } from './input-policy.js';

/**
 * Addresses a queued spec must never reach unless the operator lists them: loopback, private (RFC 1918,
 * ULA), link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, benchmarking, multicast and
 * reserved ranges. node:net's BlockList does the matching (IPv4-mapped IPv6 included), so no hand-written
 * CIDR math.
 */
const SPECIAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  SPECIAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  SPECIAL.addSubnet(net, bits, 'ipv6');

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');
const unbracket = (h: string) => h.replace(/^\[|\]$/g, '');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it maps. */
function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

export function isSpecialAddress(ip: string): boolean {
  const a = normalizeIp(ip);
  return SPECIAL.check(a, family(a));
}

/** Entries of NNAUDIT_ALLOWED_HOSTS that are IPs or CIDR ranges: the only way to open a special address. */
function listedAddresses(entries: readonly string[]): BlockList {
  const bl = new BlockList();
  for (const e of entries) {
    const [ip, bits] = unbracket(e).split('/');
    if (!ip || isIP(ip) === 0) continue;
    if (bits !== undefined) bl.addSubnet(ip, Number(bits), family(ip));
    else bl.addAddress(ip, family(ip));
  }
  return bl;
}

function hostListed(host: string, entries: readonly string[]): boolean {
  const h = unbracket(host.toLowerCase());
  if (isIP(h)) return listedAddresses(entries).check(normalizeIp(h), family(normalizeIp(h)));
  return entries.some((e) => e === h || (e.startsWith('*.') && h.endsWith(e.slice(1))));
}

/** Checks a URL's scheme and host before any connection. Throws a policy error naming the URL and the fix. */
export function checkUrl(raw: string, policy: InputPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserInputError('policy', `${raw}: not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserInputError('policy', `${raw}: only http(s) URLs can be loaded`);
  if (url.username || url.password)
    throw new UserInputError(
      'policy',
      `${url.host}: URLs with credentials are not accepted; serve the model without them`,
    );
  if (policy.allowedHosts === null) return url;
  if (!hostListed(url.hostname, policy.allowedHosts)) {
    throw new UserInputError(
      'policy',
      `${url.origin}: host ${url.hostname} is not allowed on this worker ` +
        `(NNAUDIT_ALLOWED_HOSTS=${policy.allowedHosts.join(',') || '(empty: no URLs)'}); ask the operator to list it`,
    );
  }
  const ip = unbracket(url.hostname);
  if (isIP(ip)) checkAddress(ip, url.hostname, policy);
  return url;
}

/** Checks one resolved address (DNS answers are checked at connect time, so rebinding cannot slip past). */
export function checkAddress(ip: string, host: string, policy: InputPolicy): void {
  if (policy.allowedHosts === null || !isSpecialAddress(ip)) return;
  if (listedAddresses(policy.allowedHosts).check(normalizeIp(ip), family(normalizeIp(ip)))) return;
  throw new UserInputError(
    'policy',
    `${host} resolves to ${ip}, a loopback/private/link-local address, which this worker does not reach ` +
      'unless NNAUDIT_ALLOWED_HOSTS lists that address or its range (e.g. 10.0.0.0/8)',
  );
}
