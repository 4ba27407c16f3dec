import { excessNestingOffset } from './nestingDepth';
import { ProblemSink } from './problemSink';
import { fileProblems, type StoryboardLocation } from './storyboardFiles';
import { StoryboardDocument, type Problem } from './storyboardDocument';
import { STORYBOARD_MAX_BYTES, STORYBOARD_MAX_DEPTH, STORYBOARD_MAX_PROBLEMS, tooLargeProblem } from './storyboardLimits';
import { ruleProblems } from './storyboardRules';
import type { Storyboard } from './storyboardSchema';
import { schemaCheck } from './schemaProblems';

export { storyboardLocations, storyboardOutputDir } from './storyboardFiles';

export interface StoryboardCheck {
  document: StoryboardDocument;
  /**
   * The problems, sorted by place: at most STORYBOARD_MAX_PROBLEMS, then (when there were more) one last problem of
   * code `more-problems` that says how many more were found.
   */
  problems: Problem[];
  /** Every problem found, those described and those only counted. */
  problemCount: number;
  /** The storyboard, typed, when it has no errors at all. */
  storyboard: Storyboard | undefined;
}

/** Syntax, schema and cross-field rules: everything that needs only the text. Fast enough to run on each edit. */
export function checkStoryboardText(text: string): StoryboardCheck {
  const sink = new ProblemSink();
  const read = readText(text, sink);
  return finish(read.document, sink, read.storyboard);
}

/** Everything, including the rules that look at files (images, paths that leave the workspace). */
export async function validateStoryboard(text: string, location: StoryboardLocation): Promise<StoryboardCheck> {
  const sink = new ProblemSink();
  const read = readText(text, sink);
  // Files are looked at only while problems are still described: past the limit they would only add to a count.
  if (read.document.root && !read.refused && !sink.full) await fileProblems(read.document, location, sink);
  return finish(read.document, sink, read.storyboard);
}

/** The check of a storyboard that could not be read (see readStoryboardFile): its one problem, at the top. */
export function unreadStoryboardCheck(code: Problem['code'], message: string): StoryboardCheck {
  const document = new StoryboardDocument('', { parse: false });
  return { document, problems: [document.problem(code, [], message, { range: { offset: 0, length: 0 } })], problemCount: 1, storyboard: undefined };
}

/**
 * The limits first (size, nesting), on the raw text, before any parser sees it; then syntax, schema and rules. A
 * text over a limit gets one problem and is not parsed.
 */
function readText(text: string, sink: ProblemSink): { document: StoryboardDocument; storyboard: Storyboard | undefined; refused: boolean } {
  const limit = limitProblem(text);
  if (limit) {
    const document = new StoryboardDocument(text, { parse: false });
    sink.add(() => document.problem(limit.code, [], limit.message, { range: { offset: limit.offset, length: Math.min(1, text.length - limit.offset) } }));
    return { document, storyboard: undefined, refused: true };
  }
  const document = new StoryboardDocument(text);
  for (const error of document.syntaxErrors) sink.add(() => document.syntaxProblem(error));
  let typed: Storyboard | undefined;
  if (document.root === undefined) {
    sink.add(() => document.problem('empty', [], 'the storyboard is empty: start with { "version": 1, "videos": [ … ] }'));
  } else {
    typed = schemaCheck(document, sink).storyboard;
    ruleProblems(document, sink);
  }
  return { document, storyboard: typed, refused: false };
}

function limitProblem(text: string): { code: 'too-large' | 'too-deep'; offset: number; message: string } | undefined {
  // Each UTF-16 unit is at least one byte of UTF-8: a text longer than the limit in units is over it in bytes.
  const bytes = text.length > STORYBOARD_MAX_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > STORYBOARD_MAX_BYTES) {
    return {
      code: 'too-large',
      offset: 0,
      message: `this storyboard ${tooLargeProblem(bytes)}`,
    };
  }
  const deep = excessNestingOffset(text, STORYBOARD_MAX_DEPTH);
  if (deep !== undefined) {
    return {
      code: 'too-deep',
      offset: deep,
      message: `the storyboard nests deeper than ${STORYBOARD_MAX_DEPTH} levels here (a storyboard needs 5): it was not read further; remove the extra brackets`,
    };
  }
  return undefined;
}

/** Sorts the problems by place, adds the count of those not described; the typed storyboard only when nothing is wrong. */
function finish(document: StoryboardDocument, sink: ProblemSink, typed: Storyboard | undefined): StoryboardCheck {
  const problems = sink.problems;
  const problemCount = problems.length + sink.more;
  problems.forEach((problem) => addRoundingFix(document, problem));
  problems.sort((a, b) => a.offset - b.offset || a.message.localeCompare(b.message));
  if (sink.more > 0) {
    const more = sink.more.toLocaleString('en-US');
    problems.push(
      document.problem('more-problems', [], `… and ${more} more problem${sink.more === 1 ? '' : 's'} (only the first ${STORYBOARD_MAX_PROBLEMS} are described; fix these first)`, {
        range: { offset: 0, length: Math.min(1, document.text.length) },
      }),
    );
  }
  const hasErrors = sink.more > 0 || problems.some((p) => p.severity === 'error');
  return { document, problems, problemCount, storyboard: hasErrors ? undefined : typed };
}

/** A fractional duration has an obvious fix: the nearest whole second that is allowed. */
function addRoundingFix(document: StoryboardDocument, problem: Problem): void {
  if (problem.code !== 'schema' || problem.path[problem.path.length - 1] !== 'duration') return;
  const value = document.valueAt(problem.path);
  if (typeof value !== 'number' || Number.isInteger(value)) return;
  const isShot = problem.path.includes('shots');
  const rounded = Math.min(isShot ? Infinity : 15, Math.max(isShot ? 1 : 3, Math.round(value)));
  problem.fixes.push({ title: `Round to ${rounded}`, edits: [{ offset: problem.offset, length: problem.length, newText: String(rounded) }] });
}
