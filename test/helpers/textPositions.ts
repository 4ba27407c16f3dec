/** The 1-based line and column where the `occurrence`-th (from 1) `needle` starts in `text`. */
export function lineColOf(text: string, needle: string, occurrence = 1): { line: number; col: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${occurrence} times`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** Applies text edits (offset, length, newText) from last to first so that offsets stay valid. */
export function applyEdits(text: string, edits: ReadonlyArray<{ offset: number; length: number; newText: string }>): string {
  return [...edits]
    .sort((a, b) => b.offset - a.offset)
    .reduce((result, edit) => result.slice(0, edit.offset) + edit.newText + result.slice(edit.offset + edit.length), text);
}
