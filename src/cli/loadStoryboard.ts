import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
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
 * The workspace a storyboard's paths must stay in: --root if given, else the nearest folder above the file that
 * holds `.git` (the repo it is kept in), else the current folder if the file is inside it, else the file's folder.
 */
export function workspaceRootFor(ctx: CliContext, storyboardPath: string, root?: string): string {
  if (root) return path.resolve(ctx.cwd, root);
  for (let dir = path.dirname(storyboardPath); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  const relative = path.relative(ctx.cwd, storyboardPath);
  return !relative.startsWith('..') && !path.isAbsolute(relative) ? ctx.cwd : path.dirname(storyboardPath);
}

export function formatProblem(displayPath: string, problem: Problem): string {
  const fix = problem.fixes[0] ? ` [fix: ${problem.fixes[0].title}]` : '';
  const level = problem.severity === 'warning' ? 'warning: ' : '';
  return `${displayPath}:${problem.start.line + 1}:${problem.start.character + 1}: ${level}${problem.message}${fix}`;
}

/** Reads and validates a storyboard; prints its problems and returns undefined when it has any. */
export async function loadStoryboard(ctx: CliContext, file: string, root?: string): Promise<LoadedStoryboard | undefined> {
  const storyboardPath = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    text = await readFile(storyboardPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    err(ctx, `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a storyboard' : `cannot be read (${code})`}`);
    return undefined;
  }
  const workspaceRoot = workspaceRootFor(ctx, storyboardPath, root);
  const check = await validateStoryboard(text, { storyboardPath, workspaceRoot });
  for (const problem of check.problems) err(ctx, formatProblem(file, problem));
  if (!check.storyboard) {
    const count = check.problems.length;
    err(ctx, `${file}: ${count} problem${count === 1 ? '' : 's'} to fix before this storyboard can be used.`);
    return undefined;
  }
  return { storyboard: check.storyboard, storyboardPath, workspaceRoot };
}
