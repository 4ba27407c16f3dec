/** Runs a command to completion, keeping its output for the error message when it fails. */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every line of output is appended here too (the full log of a long install). */
  logFile?: string;
  /** Called with each output line, for progress. */
  onLine?: (line: string) => void;
  /** Lines of output kept for the error message; 40 unless told. */
  tailLines?: number;
}

export interface ExecResult {
  /** The last lines of stdout and stderr, interleaved as they came. */
  tail: string[];
}

export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(
    message: string,
    readonly tail: string[],
  ) {
    super(message);
  }
}

export function exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const keep = options.tailLines ?? 40;
  const tail: string[] = [];
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const shown = [command, ...args].join(' ');
  log?.write(`$ ${shown}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const partial = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr', chunk: Buffer, flush = false): void => {
      const text = partial[stream] + chunk.toString('utf8');
      const lines = text.split('\n');
      partial[stream] = flush ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (flush && line === '') {
          continue;
        }
        tail.push(line);
        if (tail.length > keep) {
          tail.shift();
        }
        log?.write(`${line}\n`);
        options.onLine?.(line);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => take('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => take('stderr', chunk));
    child.on('error', (error) => {
      log?.end();
      reject(new ExecError(`could not run ${command}: ${error.message}`, tail));
    });
    child.on('close', (code, signal) => {
      take('stdout', Buffer.alloc(0), true);
      take('stderr', Buffer.alloc(0), true);
      log?.end();
      if (code === 0) {
        resolve({ tail });
        return;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const where = options.logFile ? ` (full log: ${options.logFile})` : '';
      reject(new ExecError(`\`${shown}\` ${how}${where}; its last lines:\n${tail.join('\n')}`, tail));
    });
  });
}
