import { isIP } from 'node:net';

export const CALLBACK_URL_MAX = 2048;

/**
 * Why a callback URL is not acceptable to the service, or undefined when it is: HTTPS only, and no private, loopback
 * or link-local address (docs/service-contract.md, "callback_url"). Host names are judged by their text: resolving them
 * would need the network, and the service resolves them itself.
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
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) {
    return `callback_url must be a public address; ${host} is local to your machine or network`;
  }
  if (isPrivateAddress(host)) return `callback_url must be a public address; ${host} is a private, loopback or link-local address`;
  return undefined;
}

/** True for IPv4/IPv6 literals in loopback, private, link-local, unspecified or carrier-grade NAT ranges. */
export function isPrivateAddress(host: string): boolean {
  const kind = isIP(host);
  if (kind === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (kind === 6) {
    const h = host.toLowerCase();
    if (h === '::' || h === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return isPrivateAddress(mapped[1]!);
    return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  }
  return false;
}
