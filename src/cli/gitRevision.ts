import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { UsageError } from './cliContext';

/**
 * Files as they were at a git revision, for `--since REF`. This runs `git` itself: reading git's object store is
 * what a library would do here, and there is no well-kept pure-JS git reader worth its weight (isomorphic-git alone
 * outweighs the rest of the CLI, and misses packs and worktrees that git itself handles). Nothing else in Kling
 * Studio shells out; only this reads, never writes, and never passes anything through a shell.
 */
export class GitRevision {
  private constructor(
    readonly ref: string,
    /** The commit REF names, so that every file is read at the same one. */
    private readonly commit: string,
  ) {}

  /** The revision, checked once: a usage error when there is no git, no repository, or no such commit. */
  static async open(ref: string, dir: string): Promise<GitRevision> {
    if (!ref || ref.startsWith('-')) throw new UsageError(`--since needs a git revision (a commit, branch or tag); got "${ref}"`);
    const commit = await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch((error: GitError) => {
      if (error.notFound) throw new UsageError('--since needs git, which was not found on PATH');
      throw new UsageError(`--since: "${ref}" is not a commit of the repository at ${dir}${error.stderr ? ` (${error.stderr})` : ''}. In CI, fetch it first (actions/checkout with fetch-depth: 0).`);
    });
    return new GitRevision(ref, commit.toString('utf8').trim());
  }

  /** A file's bytes at the revision, or undefined if it did not exist there. */
  async read(filePath: string): Promise<Buffer | undefined> {
    const dir = path.dirname(filePath);
    // `REV:./name` is relative to -C's folder, so no repository root is needed.
    return git(dir, ['show', `${this.commit}:./${path.basename(filePath)}`]).catch(() => undefined);
  }
}

interface GitError extends Error {
  notFound?: boolean;
  stderr?: string;
}

function git(cwd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', cwd, ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const failure: GitError = new Error(`git ${args[0]} failed`);
      failure.notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      failure.stderr = stderr.toString('utf8').trim().split('\n')[0];
      reject(failure);
    });
  });
}
