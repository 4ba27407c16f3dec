import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The built CLI, as a user runs it. */
export const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The run was killed by the harness after `timeoutMs`: it hung. */
  timedOut: boolean;
}

export interface CliOptions {
  cwd: string;
  /** KLING_STATE_DIR: the journal and the embedded simulator's state. */
  state: string;
  env?: Record<string, string> | undefined;
  /** Kill the run (SIGKILL) after this long and report it as timed out. Default 60 s. */
  timeoutMs?: number | undefined;
}

/** Starts `node dist/cli.js ARGS` with no terminal and no API key unless given. */
export function startCli(args: string[], options: CliOptions): { child: ChildProcess; done: Promise<CliRun>; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, KLING_STATE_DIR: options.state, KLING_SIMULATOR_TIME_SCALE: '10', ...options.env };
  if (!options.env?.['KLING_API_KEY']) delete env['KLING_API_KEY'];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end();
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    }),
  );
  return { child, done, output: () => stdout + stderr };
}

export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).done;
}

/** Waits until `check` holds, looking every 25 ms (for output of a child process, which has no event to wait on). */
export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Tasks the embedded simulator of a CLI run keeps in its state file. */
export function simulatorTaskCount(state: string): number {
  const file = path.join(state, 'simulator.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tasks: unknown[] }).tasks.length : 0;
}

/** True when a text shows a JavaScript stack trace (what a user must never see). */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[(:]\d+/.test(text) || /RangeError|Maximum call stack/.test(text);
}
