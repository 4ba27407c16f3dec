import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The built CLI (`npm run build`), run as a user runs it. */
export const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh folder to run in, with its own state folder (journal, embedded simulator). */
export function cliWorkspace(prefix: string): { dir: string; state: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `kling-${prefix}-`));
  return { dir, state: path.join(dir, '.state') };
}

/**
 * Runs `kling ARGS` to its end with stdin closed (no terminal). The environment is this process's, without any key,
 * base URL or proxy setting of the machine running the tests, plus `env`.
 */
export function runKling(args: string[], options: { cwd: string; state: string; env?: Record<string, string> }): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, KLING_STATE_DIR: options.state, KLING_SIMULATOR_TIME_SCALE: '10' };
  for (const name of ['KLING_API_KEY', 'KLING_BASE_URL', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
