import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { ProcessOwner } from '../../src/core/process/processOwner';

/** The pid of a process that has run and ended: no process has it now (pids are not reused that quickly). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** An owner whose process has ended, on this machine. */
export function goneOwner(tool = 'kling render'): ProcessOwner {
  return { token: `gone-${Math.random().toString(16).slice(2)}`, pid: deadPid(), host: hostname(), tool };
}

/** An owner on another machine (only the age of what it wrote tells whether it still runs). */
export function remoteOwner(): ProcessOwner {
  return { token: `remote-${Math.random().toString(16).slice(2)}`, pid: 4242, host: `not-${hostname()}`, tool: 'kling render' };
}
