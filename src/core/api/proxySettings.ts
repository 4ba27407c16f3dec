// The proxy an editor is told to use (VS Code's `http.proxy`, `http.proxyStrictSSL`, `http.noProxy`), passed down to
// the dispatchers of the client and the downloader. Without it, HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply.

export interface ProxySettings {
  /** `http://host:port` (credentials may be in it); undefined or empty: the environment decides. */
  url?: string | undefined;
  /** Whether the service's certificate must be valid (VS Code's `http.proxyStrictSSL`, default true). */
  strictSSL?: boolean | undefined;
  /** Hosts reached directly, as VS Code's `http.noProxy` lists them: `example.com`, `.example.com`, `*.example.com`, `10.0.0.1`. */
  noProxy?: readonly string[] | undefined;
}

/** Whether `host` is one of the `noProxy` entries (the host itself, or a name below a domain entry). */
export function bypassesProxy(host: string, noProxy: readonly string[] | undefined): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (noProxy ?? []).some((raw) => {
    const trimmed = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    // A port (`host:8080`) is not part of the name; an IPv6 address has colons of its own.
    const entry = (trimmed.match(/:/g) ?? []).length === 1 ? trimmed.replace(/:\d+$/, '') : trimmed;
    if (!entry) return false;
    if (entry === '*') return true;
    const domain = entry.replace(/^\*?\./, '');
    return name === domain || name.endsWith(`.${domain}`);
  });
}
