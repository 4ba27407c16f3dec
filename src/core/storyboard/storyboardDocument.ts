import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex, type TextPosition } from '../text/lineIndex';

export type JsonPath = ReadonlyArray<string | number>;

/** A replacement of `length` characters at `offset` by `newText`. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

/** A fix the editor can offer as a quick fix (and the CLI can describe). */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export type ProblemCode =
  | 'syntax'
  /** No JSON at all; unlike a syntax error, no JSON tool reports it. */
  | 'empty'
  | 'schema'
  | 'unknown-field'
  | 'missing-field'
  | 'shot-sum'
  | 'duplicate-name'
  | 'missing-prompt'
  | 'missing-image'
  | 'unknown-element'
  | 'element-reference'
  /** A frame reference (`{ "from": …, "frame": … }`) names no video of the file, its own video, or closes a circle. */
  | 'unknown-frame-source'
  | 'frame-self-reference'
  | 'frame-cycle'
  /** `loop` without `image`, or with an `end_image` of its own. */
  | 'loop-frames'
  | 'path-outside-workspace'
  | 'file-not-found'
  | 'bad-image'
  /** A warning: a frame image whose shape is more than 5 % from the video's aspect_ratio (it will be cropped). */
  | 'frame-crop'
  /** A warning: the `metadata` folder is inside the output folder, so the records would be deployed with the videos. */
  | 'metadata-in-output'
  /** Not a regular file, or it cannot be read: not a storyboard at all. */
  | 'unreadable'
  /** Over a limit of storyboardLimits.ts (size, nesting): not parsed at all. */
  | 'too-large'
  | 'too-deep'
  /** The last problem of a storyboard with more than the limit: how many more were found. */
  | 'more-problems';

export interface Problem {
  code: ProblemCode;
  severity: 'error' | 'warning';
  message: string;
  path: JsonPath;
  offset: number;
  length: number;
  start: TextPosition;
  end: TextPosition;
  fixes: Fix[];
}

/** Which part of the JSON at a path a problem is about. */
export type Target = 'value' | 'key' | 'anchor';

/**
 * A storyboard's text, parsed once with positions. jsonc-parser keeps going after a syntax error, so one pass
 * reports a syntax error and still checks the rest of the file. Comments and trailing commas are allowed: the
 * editor treats `*.kling.json` as JSON with comments, and the scaffold explains itself in comments.
 */
export class StoryboardDocument {
  readonly root: Node | undefined;
  readonly value: unknown;
  readonly syntaxErrors: ParseError[];
  // Built on the first position asked for: a valid storyboard needs none, and this is on every keystroke's path.
  private lineIndex: LineIndex | undefined;

  /**
   * `parse: false` keeps the text unparsed (no root, no value): for a text over the limits, which only needs places
   * for its problems. A UTF-8 byte order mark is read as a space, so that offsets stay those of the text.
   */
  constructor(
    readonly text: string,
    options: { parse?: boolean } = {},
  ) {
    const errors: ParseError[] = [];
    const parsable = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
    this.root = options.parse === false ? undefined : parseTree(parsable, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
    this.value = this.root ? getNodeValue(this.root) : undefined;
    this.syntaxErrors = errors;
  }

  private get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }

  node(path: JsonPath): Node | undefined {
    return this.root ? findNodeAtLocation(this.root, path as (string | number)[]) : undefined;
  }

  /** The value at a path, as parsed (possibly of the wrong type). */
  valueAt(path: JsonPath): unknown {
    const node = this.node(path);
    return node ? getNodeValue(node) : undefined;
  }

  /**
   * The text range a problem at `path` should underline: the value, the property's key, or for an object an anchor
   * a reader recognises (a video's name, else the key it hangs from, else its opening brace). A path that does not
   * exist is anchored at its nearest existing ancestor.
   */
  rangeOf(path: JsonPath, target: Target = 'value'): { offset: number; length: number } {
    let node = this.node(path);
    let effectiveTarget = target;
    for (let depth = path.length - 1; !node && depth >= 0; depth--) {
      node = this.node(path.slice(0, depth));
      effectiveTarget = 'anchor';
    }
    if (!node) return { offset: 0, length: Math.min(1, this.text.length) };
    if (effectiveTarget === 'key' && node.parent?.type === 'property') {
      const key = node.parent.children![0]!;
      return { offset: key.offset, length: key.length };
    }
    if (effectiveTarget === 'anchor' && node.type === 'object') {
      const name = node.children?.find((p) => p.children?.[0]?.value === 'name')?.children?.[1];
      if (name) return { offset: name.offset, length: name.length };
      if (node.parent?.type === 'property') {
        const key = node.parent.children![0]!;
        return { offset: key.offset, length: key.length };
      }
      return { offset: node.offset, length: 1 };
    }
    if (effectiveTarget === 'anchor' && node.type === 'array' && node.parent?.type === 'property') {
      const key = node.parent.children![0]!;
      return { offset: key.offset, length: key.length };
    }
    return { offset: node.offset, length: node.length };
  }

  problem(
    code: ProblemCode,
    path: JsonPath,
    message: string,
    options: { target?: Target; fixes?: Fix[]; range?: { offset: number; length: number }; severity?: 'error' | 'warning' } = {},
  ): Problem {
    const range = options.range ?? this.rangeOf(path, options.target);
    return {
      code,
      severity: options.severity ?? 'error',
      message,
      path,
      offset: range.offset,
      length: range.length,
      start: this.lines.positionAt(range.offset),
      end: this.lines.positionAt(range.offset + range.length),
      fixes: options.fixes ?? [],
    };
  }

  positionAt(offset: number): TextPosition {
    return this.lines.positionAt(offset);
  }

  syntaxProblem(error: ParseError): Problem {
    return this.problem('syntax', [], syntaxMessage(error, this.text), { range: { offset: error.offset, length: Math.max(error.length, 1) } });
  }
}

function syntaxMessage(error: ParseError, text: string): string {
  const found = text.slice(error.offset, error.offset + Math.max(error.length, 1)).trim();
  const near = found ? ` near ${JSON.stringify(found.slice(0, 20))}` : ' at the end of the file';
  switch (printParseErrorCode(error.error)) {
    case 'CommaExpected':
      return `JSON syntax: a comma is missing${near}`;
    case 'ColonExpected':
      return `JSON syntax: a colon is missing after the property name${near}`;
    case 'PropertyNameExpected':
      return `JSON syntax: expected a property name in double quotes${near}`;
    case 'ValueExpected':
      return `JSON syntax: expected a value${near}`;
    case 'CloseBraceExpected':
      return `JSON syntax: a closing brace } is missing${near}`;
    case 'CloseBracketExpected':
      return `JSON syntax: a closing bracket ] is missing${near}`;
    case 'UnexpectedEndOfString':
      return 'JSON syntax: a string is not closed with a double quote';
    case 'UnexpectedEndOfComment':
      return 'JSON syntax: a /* comment is not closed with */';
    case 'InvalidEscapeCharacter':
      return `JSON syntax: invalid escape in a string${near}`;
    case 'InvalidUnicode':
      return `JSON syntax: invalid \\u escape${near}`;
    case 'InvalidCharacter':
    case 'InvalidSymbol':
      return `JSON syntax: unexpected ${found ? JSON.stringify(found.slice(0, 20)) : 'character'}`;
    case 'EndOfFileExpected':
      return `JSON syntax: unexpected content after the end of the storyboard${near}`;
    case 'InvalidNumberFormat':
      return `JSON syntax: invalid number${near}`;
    default:
      return `JSON syntax error${near}`;
  }
}
