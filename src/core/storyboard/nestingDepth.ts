// How deep a JSON-with-comments text nests, found in one pass that skips strings and comments, before any parser
// sees it: jsonc-parser's tree and its getNodeValue recurse once per level, so a few thousand `[` overflow the stack.

/** Where the text first nests deeper than `maxDepth` (the offset of the bracket that goes too deep), or undefined. */
export function excessNestingOffset(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // A string: up to the next quote not escaped, or the end of the line (jsonc-parser ends an unclosed string there).
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22 || s === 0x0a || s === 0x0d) break;
      }
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      while (i < length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? length : end + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}
