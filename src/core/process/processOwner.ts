import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as z from 'zod/mini';

// Who holds a lock, a claim or a task being sent: a process on a machine, and within it one owner (an engine or a
// journal), so that two engines in one process (tests, two windows sharing an extension host) are told apart and
// one that was disposed counts as gone. zod's mini API: the journal that records owners is read at activation.

export const ProcessOwner = z.object({
  /** Unique per owner object; what a lock or claim is checked against before it is released or changed. */
  token: z.string(),
  pid: z.number(),
  host: z.string(),
  /**
   * The process's start time as the kernel counts it (Linux: /proc/<pid>/stat field 22), so that a new process
   * that reuses the pid of a dead one is not taken for it. Absent where the platform does not say.
   */
  processStart: z.optional(z.string()),
  /** What runs there, for people: "kling render", "VS Code". */
  tool: z.optional(z.string()),
});
export type ProcessOwner = z.infer<typeof ProcessOwner>;

/** Owners created in this process and not yet released: the only way to know an in-process owner is gone. */
const liveTokens = new Set<string>();

/** A new owner in this process. Call {@link releaseOwner} when it stops (an engine's dispose). */
export function newOwner(tool?: string): ProcessOwner {
  const owner: ProcessOwner = { token: randomBytes(8).toString('hex'), pid: process.pid, host: hostname() };
  const start = processStartOf(process.pid);
  if (start !== undefined) owner.processStart = start;
  if (tool !== undefined) owner.tool = tool;
  liveTokens.add(owner.token);
  return owner;
}

export function releaseOwner(owner: ProcessOwner): void {
  liveTokens.delete(owner.token);
}

export type Liveness =
  /** Certainly running (this process, or a process of this machine with the same pid and start time). */
  | 'alive'
  /** Certainly gone: released here, or no such process on this machine. */
  | 'gone'
  /** On another machine: only the age of what it last wrote can tell (see isOwnerGone). */
  | 'elsewhere';

export function livenessOf(owner: ProcessOwner): Liveness {
  if (owner.host !== hostname()) return 'elsewhere';
  if (owner.pid === process.pid) {
    if (owner.processStart !== undefined && owner.processStart !== processStartOf(process.pid)) return 'gone';
    return liveTokens.has(owner.token) ? 'alive' : 'gone';
  }
  if (!pidExists(owner.pid)) return 'gone';
  if (owner.processStart !== undefined) {
    const start = processStartOf(owner.pid);
    if (start !== undefined && start !== owner.processStart) return 'gone';
  }
  return 'alive';
}

/**
 * Whether the owner of something last written at `lastSeenMs` is gone. An owner on another machine (a shared network
 * folder) cannot be asked: it counts as gone once it has been silent for `silentMs`.
 */
export function isOwnerGone(owner: ProcessOwner, lastSeenMs: number, now: number, silentMs: number): boolean {
  const liveness = livenessOf(owner);
  if (liveness === 'elsewhere') return now - lastSeenMs > silentMs;
  return liveness === 'gone';
}

/** "process 4242 (kling render)", "this window", for messages. */
export function describeOwner(owner: ProcessOwner): string {
  const where = owner.host === hostname() ? '' : ` on ${owner.host}`;
  const what = owner.tool ? ` (${owner.tool})` : '';
  return `process ${owner.pid}${what}${where}`;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processStartOf(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
