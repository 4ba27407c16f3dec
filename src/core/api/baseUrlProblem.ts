import { isIPv4 } from 'node:net';

/**
 * Why the API must not be called at this base URL, or undefined when it may. Every request carries the API key in
 * its Authorization header, so the key may travel in clear only where it never leaves this machine: `https://`
 * anywhere, `http://` only on loopback (127.0.0.0/8, ::1, localhost), where the simulator runs.
 */
export function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `The API base URL ${JSON.stringify(value)} is not a full address: use https://… (for example https://api.evolink.ai).`;
  }
  // The parser lower-cases the scheme and the host, and writes IPv4 addresses in their usual form.
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return undefined;
    return (
      `The API base URL ${url.origin} uses http://, which would send your API key unencrypted to ${url.hostname}. ` +
      'Use https://; http:// is allowed only on this machine (localhost, 127.0.0.1, [::1]).'
    );
  }
  return `The API base URL ${JSON.stringify(value)} must start with https://.`;
}

/** A host name of a URL (IPv6 in brackets, as URL gives it) that names this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}
