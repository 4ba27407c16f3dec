/**
 * Why a key as entered cannot be an API key, or undefined when it can. The key is judged after trimming the
 * whitespace around it (a paste often brings a newline): what is left must be printable ASCII (0x21–0x7E), because
 * it travels in an HTTP header, and a character outside that range either makes the request fail before it is sent
 * or reaches the service mangled. Positions count from 1 in the trimmed key; the key itself is never quoted.
 * The problem is one sentence; callers add what to do where the key is entered.
 */
export function apiKeyProblem(key: string): string | undefined {
  const trimmed = key.trim();
  if (trimmed === '') return 'The key is empty.';
  for (let i = 0; i < trimmed.length; i++) {
    const code = trimmed.codePointAt(i)!;
    if (code >= 0x21 && code <= 0x7e) continue;
    const position = i + 1;
    if (/\s/u.test(String.fromCodePoint(code))) {
      return `The key has a space or line break at position ${position}: an API key has none.`;
    }
    const unicode = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return `The key has a character that is not printable ASCII at position ${position} (${unicode}): an API key is plain letters, digits and punctuation.`;
  }
  return undefined;
}
