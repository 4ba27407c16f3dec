import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The built CLI, as `npm run build` leaves it. */
export const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** KLING_STATE_DIR: where the journal (and the embedded simulator's state) is kept. */
  state: string;
  env?: Record<string, string>;
}

/** A folder for a test's files, and a state folder inside it. */
export function cliWorkspace(prefix = 'cli'): { dir: string; state: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `kling-${prefix}-`));
  return { dir, state: path.join(dir, '.state') };
}

/** Starts `kling …` as a user would; KLING_API_KEY only when the test gives one. */
export function startCli(args: string[], options: CliOptions): { child: ChildProcess; done: Promise<CliRun>; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, KLING_STATE_DIR: options.state, KLING_SIMULATOR_TIME_SCALE: '10', ...options.env };
  delete env['KLING_API_KEY'];
  if (options.env?.['KLING_API_KEY']) env['KLING_API_KEY'] = options.env['KLING_API_KEY'];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end();
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).done;
}

/** How many tasks the CLI's embedded simulator has made, from its state file. */
export function embeddedSimulatorTasks(state: string): number {
  const file = path.join(state, 'simulator.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tasks: unknown[] }).tasks.length : 0;
}
