/**
 * Process groups and temp folders that this test run started or made and must end or remove,
 * however the run ends.
 *
 * A VS Code server forks an extension host, a pty host and a file watcher. Starting the server as the
 * leader of its own process group (`spawn(..., { detached: true })`) lets us end all of them with one
 * signal to the group we created, and with nothing else.
 */
import { rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const groups = new Set<number>();
const tempDirs = new Set<string>();
let hooked = false;

/** Remembers a process group (the pid of a child spawned with `detached: true`) to kill at exit. */
export function trackGroup(pid: number): void {
  hookProcessExit();
  groups.add(pid);
}

export function untrackGroup(pid: number): void {
  groups.delete(pid);
}

/** Removes `dir` when the process exits, unless `removeTempDir` was called first. */
export function removeAtExit(dir: string): void {
  hookProcessExit();
  tempDirs.add(dir);
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** True while any process of the group is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends a process group: SIGTERM, then SIGKILL if any member is still there after `graceMs`.
 * Resolves once no member is left.
 */
export async function killGroup(pid: number, graceMs = 5000): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) {
    await delay(50);
  }
  if (groupAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (groupAlive(pid)) {
      await delay(20);
    }
  }
  untrackGroup(pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function killAllNow(): void {
  for (const pid of groups) {
    signalGroup(pid, 'SIGKILL');
  }
  groups.clear();
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
  tempDirs.clear();
}

function hookProcessExit(): void {
  if (hooked) {
    return;
  }
  hooked = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that can be sent and forgotten.
  process.on('exit', killAllNow);
  const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(exitCodes) as [NodeJS.Signals, number][]) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the processes this test run started\n`);
      killAllNow();
      process.exit(code);
    });
  }
}
