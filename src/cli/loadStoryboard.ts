import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { readStoryboardFile } from '../core/storyboard/readStoryboardFile';
import type { Storyboard } from '../core/storyboard/storyboardSchema';
import { validateStoryboard } from '../core/storyboard/validateStoryboard';
import type { Problem } from '../core/storyboard/storyboardDocument';
import { err, type CliContext } from './cliContext';

export interface LoadedStoryboard {
  storyboard: Storyboard;
  storyboardPath: string;
  workspaceRoot: string;
}

/**
 * The workspace a storyboard's paths must stay in: --root if given, else the git work tree the file is in (the
 * nearest folder above it with a `.git` folder, or a `.git` file as in a worktree or submodule), else the file's own
 * folder. Never the current folder: the same storyboard must be judged the same wherever the command runs from.
 */
export function workspaceRootFor(ctx: CliContext, storyboardPath: string, root?: string): string {
  if (root) return path.resolve(ctx.cwd, root);
  for (let dir = path.dirname(storyboardPath); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return path.dirname(storyboardPath);
}

export function formatProblem(displayPath: string, problem: Problem): string {
  // The count of the problems not described has no place of its own.
  if (problem.code === 'more-problems') return `${displayPath}: ${problem.message}`;
  const fix = problem.fixes[0] ? ` [fix: ${problem.fixes[0].title}]` : '';
  const level = problem.severity === 'warning' ? 'warning: ' : '';
  return `${displayPath}:${problem.start.line + 1}:${problem.start.character + 1}: ${level}${problem.message}${fix}`;
}

/** Reads and validates a storyboard; prints its problems and returns undefined when it has any. */
export async function loadStoryboard(ctx: CliContext, file: string, root?: string): Promise<LoadedStoryboard | undefined> {
  const storyboardPath = path.resolve(ctx.cwd, file);
  const workspaceRoot = workspaceRootFor(ctx, storyboardPath, root);
  const read = await readStoryboardFile(storyboardPath, workspaceRoot);
  if (!read.ok) {
    err(ctx, `${file}: ${read.problem}`);
    return undefined;
  }
  const check = await validateStoryboard(read.text, { storyboardPath, workspaceRoot });
  for (const problem of check.problems) err(ctx, formatProblem(file, problem));
  if (!check.storyboard) {
    const count = check.problemCount;
    err(ctx, `${file}: ${count.toLocaleString('en-US')} problem${count === 1 ? '' : 's'} to fix before this storyboard can be used.`);
    return undefined;
  }
  return { storyboard: check.storyboard, storyboardPath, workspaceRoot };
}
