import { isIP } from 'node:net';

export const CALLBACK_URL_MAX = 2048;

/**
 * Why a callback URL is not acceptable to the service, or undefined when it is: HTTPS only, and no private, loopback
 * or link-local address (docs/service-contract.md, "callback_url"). Host names are judged by their text: resolving them
 * would need the network, and the service resolves them itself. Address literals are judged on what they mean, not
 * on how they are written: the URL parser has already turned `https://2130706433/` into 127.0.0.1 and
 * `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`, and an IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4) is
 * judged by the IPv4 address inside.
 */
export function callbackUrlProblem(value: string): string | undefined {
  if (value.length > CALLBACK_URL_MAX) return `callback_url is ${value.length} characters long; the limit is ${CALLBACK_URL_MAX}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `callback_url must be a full https:// address; got ${JSON.stringify(value)}`;
  }
  if (url.protocol !== 'https:') return `callback_url must use https://; got ${url.protocol.replace(/:$/, '')}://`;
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.+$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) {
    return `callback_url must be a public address; ${host} is local to your machine or network`;
  }
  const range = nonPublicRange(host);
  if (range) return `callback_url must be a public address; ${host} is ${range}`;
  return undefined;
}

/** True for IPv4/IPv6 literals that are not public: loopback, private, link-local, reserved and the like. */
export function isPrivateAddress(host: string): boolean {
  return nonPublicRange(host) !== undefined;
}

type Range = readonly [prefix: string, bits: number, what: string];

// The special-purpose ranges that are not globally reachable (RFC 6890 and its updates).
const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'a private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'a link-local address (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'a private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'an IETF protocol address (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'a documentation address (192.0.2.0/24)'],
  ['192.88.99.0', 24, 'a 6to4 relay address (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'a private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'a reserved address (240.0.0.0/4)'],
];

const IPV6_RANGES: readonly Range[] = [
  // ::/128 (unspecified), ::1/128 (loopback) and the deprecated IPv4-compatible addresses: none reachable.
  ['::', 96, 'an unspecified, loopback or IPv4-compatible address (::/96)'],
  ['64:ff9b:1::', 48, 'a local-use NAT64 address (64:ff9b:1::/48)'],
  ['100::', 64, 'a discard-only address (100::/64)'],
  ['2001:2::', 48, 'a benchmarking address (2001:2::/48)'],
  ['2001:db8::', 32, 'a documentation address (2001:db8::/32)'],
  ['3fff::', 20, 'a documentation address (3fff::/20)'],
  ['fc00::', 7, 'a unique local address (fc00::/7)'],
  ['fe80::', 10, 'a link-local address (fe80::/10)'],
  ['fec0::', 10, 'a site-local address (fec0::/10)'],
  ['ff00::', 8, 'a multicast address (ff00::/8)'],
];

/** IPv6 prefixes whose addresses carry an IPv4 address: judged by it. Bit offset of the IPv4 address inside. */
const IPV4_CARRIERS: ReadonlyArray<readonly [prefix: string, bits: number, what: string, v4At: number]> = [
  ['::ffff:0:0', 96, 'IPv4-mapped', 96],
  ['::ffff:0:0:0', 96, 'IPv4-translated', 96],
  ['64:ff9b::', 96, 'NAT64', 96],
  ['2002::', 16, '6to4', 16],
];

/** What kind of non-public address `host` is, in words, or undefined for a public address or a host name. */
export function nonPublicRange(host: string): string | undefined {
  const kind = isIP(host);
  if (kind === 4) {
    const value = ipv4Value(host)!;
    return IPV4_RANGES.find(([prefix, bits]) => inPrefix(value, ipv4Value(prefix)!, bits, 32))?.[2];
  }
  if (kind === 6) {
    const value = ipv6Value(host);
    if (value === undefined) return 'an IPv6 address that cannot be read';
    for (const [prefix, bits, what, v4At] of IPV4_CARRIERS) {
      if (!inPrefix(value, ipv6Value(prefix)!, bits, 128)) continue;
      const v4 = Number((value >> BigInt(128 - v4At - 32)) & 0xffffffffn);
      const dotted = [24, 16, 8, 0].map((shift) => (v4 >>> shift) & 0xff).join('.');
      const inner = nonPublicRange(dotted);
      return inner ? `an ${what} ${dotted}, ${inner}` : undefined;
    }
    return IPV6_RANGES.find(([prefix, bits]) => inPrefix(value, ipv6Value(prefix)!, bits, 128))?.[2];
  }
  return undefined;
}

function inPrefix(value: bigint | number, prefix: bigint | number, bits: number, width: number): boolean {
  const shift = BigInt(width - bits);
  return BigInt(value) >> shift === BigInt(prefix) >> shift;
}

function ipv4Value(text: string): number | undefined {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** The 128-bit value of an IPv6 address (`::`, an embedded dotted IPv4 at the end, a zone id are all understood). */
export function ipv6Value(text: string): bigint | undefined {
  let address = text.split('%')[0]!.toLowerCase();
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const value = ipv4Value(v4[2]!);
    if (value === undefined) return undefined;
    address = `${v4[1]}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n);
}
