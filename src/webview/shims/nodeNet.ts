// The one piece of node:net that the core's schemas use (isIP, in publicHttpsUrl.ts), for pages that bundle those
// schemas into the browser. esbuild.js aliases node:net to this file for webview builds only.

/** 4 for a dotted IPv4 address, 6 for an IPv6 one, 0 for anything else: as node:net's isIP answers. */
export function isIP(input: string): 0 | 4 | 6 {
  if (isIPv4(input)) return 4;
  if (input.includes(':') && isIPv6(input)) return 6;
  return 0;
}

function isIPv4(input: string): boolean {
  const parts = input.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(input: string): boolean {
  const [address, zone] = input.split('%');
  if (zone !== undefined && !/^[\w.-]+$/.test(zone)) return false;
  let text = address!;
  // A trailing dotted IPv4 counts as the last two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[2]!)) return false;
    text = `${v4[1]}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const all = [...head, ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length <= 7 : all.length === 8;
}
