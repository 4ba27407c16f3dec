import * as path from 'node:path';
import { fileProblems, type StoryboardLocation } from './storyboardFiles';
import { StoryboardDocument, type Problem } from './storyboardDocument';
import { ruleProblems } from './storyboardRules';
import { STORYBOARD_SUFFIX, type Storyboard } from './storyboardSchema';
import { schemaCheck } from './schemaProblems';

export interface StoryboardCheck {
  document: StoryboardDocument;
  problems: Problem[];
  /** The storyboard, typed, when it has no errors at all. */
  storyboard: Storyboard | undefined;
}

/** Syntax, schema and cross-field rules: everything that needs only the text. Fast enough to run on each edit. */
export function checkStoryboardText(text: string): StoryboardCheck {
  const document = new StoryboardDocument(text);
  const problems = [...document.syntaxProblems()];
  let typed: Storyboard | undefined;
  if (document.root === undefined) {
    problems.push(document.problem('empty', [], 'the storyboard is empty: start with { "version": 1, "videos": [ … ] }'));
  } else {
    const schema = schemaCheck(document);
    typed = schema.storyboard;
    problems.push(...schema.problems, ...ruleProblems(document));
  }
  problems.forEach((problem) => addRoundingFix(document, problem));
  return finish(document, problems, typed);
}

/** Everything, including the rules that look at files (images, paths that leave the workspace). */
export async function validateStoryboard(text: string, location: StoryboardLocation): Promise<StoryboardCheck> {
  const textCheck = checkStoryboardText(text);
  const onDisk = textCheck.document.root ? await fileProblems(textCheck.document, location) : [];
  return finish(textCheck.document, [...textCheck.problems, ...onDisk], textCheck.storyboard);
}

/** Sorts the problems by place; the typed storyboard (from the schema's own pass) only when nothing is wrong. */
function finish(document: StoryboardDocument, problems: Problem[], typed: Storyboard | undefined): StoryboardCheck {
  problems.sort((a, b) => a.offset - b.offset || a.message.localeCompare(b.message));
  const hasErrors = problems.some((p) => p.severity === 'error');
  return { document, problems, storyboard: hasErrors ? undefined : typed };
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

/** Where a storyboard's results go: its `output`, else a folder named after the file (docs/storyboard-format.md). */
export function storyboardOutputDir(storyboardPath: string, storyboard: Pick<Storyboard, 'output'>): string {
  const dir = path.dirname(storyboardPath);
  if (storyboard.output) return path.resolve(dir, storyboard.output);
  const base = path.basename(storyboardPath);
  const stem = base.endsWith(STORYBOARD_SUFFIX) ? base.slice(0, -STORYBOARD_SUFFIX.length) : path.parse(base).name;
  return path.resolve(dir, stem);
}
