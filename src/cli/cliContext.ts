import { homedir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { HarRecorder } from '../core/http/harRecorder';
import type { GitHubWorkflow } from './github/githubWorkflow';

/** What a command may touch of the outside world; tests and the main entry provide it. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted on Ctrl-C or SIGTERM, with a {@link StopRequest} as its reason. */
  signal: AbortSignal;
  /** Where a command's one JSON document goes under --json (the real stdout; `stdout` then leads to stderr). */
  documentOut?: NodeJS.WritableStream | undefined;
  /** GitHub's workflow language, when the run is in GitHub mode (GITHUB_ACTIONS=true or --format github). */
  github?: GitHubWorkflow | undefined;
  /** Records every HTTP exchange as HAR (--record FILE). */
  recorder?: HarRecorder | undefined;
}

/** Why the CLI was asked to stop: the signal, and the exit code shells expect for it (128 + the signal's number). */
export class StopRequest extends Error {
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
    super(signalName === 'SIGINT' ? 'interrupted' : 'terminated');
    this.name = 'StopRequest';
  }

  get exitCode(): number {
    return this.signalName === 'SIGINT' ? 130 : 143;
  }
}

/** The exit code of a command that stopped on its signal: 130 after Ctrl-C, 143 after SIGTERM. */
export function stopExitCode(ctx: CliContext): number {
  const reason: unknown = ctx.signal.reason;
  return reason instanceof StopRequest ? reason.exitCode : 130;
}

export function out(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

export function err(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}

/** Prints the command's JSON document: on the real stdout, whatever `stdout` leads to under --json. */
export function printDocument(ctx: CliContext, document: unknown): void {
  (ctx.documentOut ?? ctx.stdout).write(`${JSON.stringify(document)}\n`);
}

export function isInteractive(ctx: CliContext): boolean {
  return Boolean(ctx.stdin.isTTY && ctx.stdout.isTTY);
}

/** Asks a yes/no question on the terminal. `defaultYes` decides what Enter means. */
export async function confirm(ctx: CliContext, question: string, defaultYes = false): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout });
  try {
    const answer = (await rl.question(`${question} ${defaultYes ? '[Y/n]' : '[y/N]'} `, { signal: ctx.signal })).trim().toLowerCase();
    return answer === '' ? defaultYes : answer === 'y' || answer === 'yes';
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

/** Where the CLI keeps its journal and the embedded simulator's state: KLING_STATE_DIR, else the XDG state folder. */
export function stateDir(ctx: CliContext): string {
  if (ctx.env['KLING_STATE_DIR']) return path.resolve(ctx.cwd, ctx.env['KLING_STATE_DIR']);
  const base = ctx.env['XDG_STATE_HOME'] || path.join(homedir(), '.local', 'state');
  return path.join(base, 'kling-studio');
}

/** A usage problem: printed with a pointer to --help, exit code 2 (EXIT_CODES.invalid). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
