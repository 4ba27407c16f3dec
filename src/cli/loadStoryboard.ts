import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { FileProblems, ReportProblem } from '../core/report/reportParts';
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

/** A storyboard as checked: usable (with `storyboard`) or not, with its problems either way. */
export interface CheckedStoryboard {
  /** As given on the command line. */
  file: string;
  storyboardPath: string;
  workspaceRoot: string;
  storyboard: Storyboard | undefined;
  problems: Problem[];
  problemCount: number;
  /** Why it could not be read at all (not a regular file, too large, outside the workspace). */
  readProblem?: string | undefined;
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

/**
 * Where to look for the storyboards that may keep a video's records in their "metadata" folder (locateVideo.ts): its
 * workspace, or, when that is only the video's own folder (no --root, no git), the current folder the command runs in.
 */
export function storyboardSearchRoot(ctx: CliContext, videoPath: string, root?: string): string {
  const workspace = workspaceRootFor(ctx, videoPath, root);
  const relative = path.relative(ctx.cwd, videoPath);
  const inCwd = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  return workspace === path.dirname(videoPath) && inCwd ? ctx.cwd : workspace;
}

export function formatProblem(displayPath: string, problem: Problem): string {
  // The count of the problems not described has no place of its own.
  if (problem.code === 'more-problems') return `${displayPath}: ${problem.message}`;
  const fix = problem.fixes[0] ? ` [fix: ${problem.fixes[0].title}]` : '';
  const level = problem.severity === 'warning' ? 'warning: ' : '';
  return `${displayPath}:${problem.start.line + 1}:${problem.start.character + 1}: ${level}${problem.message}${fix}`;
}

/** Reads and validates a storyboard, and says nothing: the caller reports (text, GitHub annotations, JSON). */
export async function checkStoryboardFile(ctx: CliContext, file: string, root?: string): Promise<CheckedStoryboard> {
  const storyboardPath = path.resolve(ctx.cwd, file);
  const workspaceRoot = workspaceRootFor(ctx, storyboardPath, root);
  const read = await readStoryboardFile(storyboardPath, workspaceRoot);
  if (!read.ok) return { file, storyboardPath, workspaceRoot, storyboard: undefined, problems: [], problemCount: 1, readProblem: read.problem };
  const check = await validateStoryboard(read.text, { storyboardPath, workspaceRoot });
  return { file, storyboardPath, workspaceRoot, storyboard: check.storyboard, problems: check.problems, problemCount: check.problemCount };
}

/**
 * Prints a checked storyboard's problems: FILE:LINE:COL: message on stderr, or in GitHub mode one workflow command
 * each, at the exact place, with the path relative to the repository's root (so it shows on a pull request's diff).
 */
export function reportProblems(ctx: CliContext, checked: CheckedStoryboard): void {
  const github = ctx.github;
  const repoPath = repoRelativePath(ctx, checked);
  if (checked.readProblem) {
    if (github) github.annotate('error', { file: repoPath, title: 'Kling storyboard' }, `${checked.file} ${checked.readProblem}`);
    else err(ctx, `${checked.file}: ${checked.readProblem}`);
    return;
  }
  for (const problem of checked.problems) {
    if (!github) {
      err(ctx, formatProblem(checked.file, problem));
      continue;
    }
    const fix = problem.fixes[0] ? ` Fix: ${problem.fixes[0].title}.` : '';
    if (problem.code === 'more-problems') {
      github.annotate('error', { file: repoPath, title: 'Kling storyboard' }, problem.message);
      continue;
    }
    github.annotate(
      problem.severity,
      {
        file: repoPath,
        line: problem.start.line + 1,
        col: problem.start.character + 1,
        endLine: problem.end.line + 1,
        endColumn: problem.end.character + 1,
        title: `Kling storyboard: ${problem.code}`,
      },
      `${problem.message}${fix}`,
    );
  }
  if (!checked.storyboard && !github) {
    const count = checked.problemCount;
    err(ctx, `${checked.file}: ${count.toLocaleString('en-US')} problem${count === 1 ? '' : 's'} to fix before this storyboard can be used.`);
  }
}

/** The problems of a storyboard as its JSON document lists them. */
export function problemsOf(checked: CheckedStoryboard): FileProblems {
  const problems: ReportProblem[] = checked.readProblem
    ? [{ severity: 'error', code: 'unreadable', message: `${checked.file} ${checked.readProblem}`, line: 1, column: 1, endLine: 1, endColumn: 1 }]
    : checked.problems.map((p) => ({
        severity: p.severity,
        code: p.code,
        message: p.message,
        line: p.start.line + 1,
        column: p.start.character + 1,
        endLine: p.end.line + 1,
        endColumn: p.end.character + 1,
        ...(p.fixes[0] ? { fix: p.fixes[0].title } : {}),
      }));
  return { file: checked.file, problems, problemCount: checked.problemCount };
}

/**
 * Where GitHub finds the file: relative to the checkout ($GITHUB_WORKSPACE), else to the git work tree it is in,
 * with forward slashes.
 */
export function repoRelativePath(ctx: CliContext, checked: Pick<CheckedStoryboard, 'storyboardPath' | 'workspaceRoot'>): string {
  const base = ctx.env['GITHUB_WORKSPACE'] ? path.resolve(ctx.env['GITHUB_WORKSPACE']) : workspaceRootFor(ctx, checked.storyboardPath);
  return path.relative(base, checked.storyboardPath).split(path.sep).join('/');
}

/** Reads and validates a storyboard; prints its problems and returns undefined when it has any. */
export async function loadStoryboard(ctx: CliContext, file: string, root?: string): Promise<LoadedStoryboard | undefined> {
  const checked = await checkStoryboardFile(ctx, file, root);
  reportProblems(ctx, checked);
  if (!checked.storyboard) return undefined;
  return { storyboard: checked.storyboard, storyboardPath: checked.storyboardPath, workspaceRoot: checked.workspaceRoot };
}
