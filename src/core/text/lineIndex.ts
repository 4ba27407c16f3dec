/** Zero-based line and character, as VS Code and LSP count them (characters are UTF-16 code units). */
export interface TextPosition {
  line: number;
  character: number;
}

/** Turns offsets in a text into line/character positions, with one pass over the text. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */ && text.charCodeAt(i + 1) === 10) continue;
      if (c === 10 || c === 13) this.lineStarts.push(i + 1);
    }
  }

  positionAt(offset: number): TextPosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.lineStarts[low]! };
  }
}
