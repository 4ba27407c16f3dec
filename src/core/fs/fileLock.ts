import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, stat, utimes } from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { isOwnerGone, ProcessOwner } from '../process/processOwner';
import { readRegularText } from './readRegularText';

const LockFile = z.object({ owner: ProcessOwner, lock: z.string() });

export interface FileLockOptions {
  /** The owner recorded in the lock: whoever holds it is asked whether it still runs before it is taken over. */
  owner: ProcessOwner;
  /** A holder on another machine that has not refreshed the lock for this long is taken for gone. */
  silentMs?: number | undefined;
  /** How often a holder refreshes the lock while it holds it. */
  refreshMs?: number | undefined;
  /** The longest wait for a lock held by a live owner before acquire() fails (a hung holder must not hang us). */
  timeoutMs?: number | undefined;
  /** Make the lock's folder when it is missing (default); false to fail instead (ENOENT). */
  createFolder?: boolean | undefined;
}

export interface HeldLock {
  /** Removes the lock if, and only if, it is still this holder's. */
  release(): Promise<void>;
}

const DEFAULTS = { silentMs: 30_000, refreshMs: 5_000, timeoutMs: 60_000, createFolder: true };

/** Raised when a live holder keeps a lock longer than `timeoutMs`. */
export class LockTimeoutError extends Error {
  constructor(lockPath: string, holder: string) {
    super(`${lockPath} is held by ${holder} and was not released in time; if that process is stuck, end it and try again.`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * A lock file between processes: created with O_EXCL, it records its holder and a random token. Only the holder
 * removes it (its token is checked first); a live holder refreshes it; a lock whose holder is gone (no such process
 * on this machine, or silent for `silentMs` on another one) is taken over. The take-over itself goes through a
 * second, short-lived lock, so two processes that both find a dead holder cannot remove each other's new lock.
 */
export class FileLock {
  private readonly options: Required<FileLockOptions>;

  constructor(
    readonly lockPath: string,
    options: FileLockOptions,
  ) {
    this.options = { ...DEFAULTS, ...stripUndefined(options) } as Required<FileLockOptions>;
  }

  async acquire(): Promise<HeldLock> {
    if (this.options.createFolder) await mkdir(path.dirname(this.lockPath), { recursive: true });
    const token = randomBytes(8).toString('hex');
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (await this.tryCreate(this.lockPath, token)) return this.held(token);
      const holder = await this.readHolder(this.lockPath);
      if (holder === 'unreadable' || (typeof holder === 'object' && this.isGone(holder))) {
        await this.takeOver(holder === 'unreadable' ? undefined : holder.lock);
      } else if (Date.now() - started > this.options.timeoutMs) {
        // Whatever keeps it (a live holder, a file being written that never is), waiting has a limit.
        throw new LockTimeoutError(this.lockPath, typeof holder === 'object' ? `process ${holder.owner.pid}` : 'another process');
      }
      await delay(Math.min(50, 2 + attempt * 3));
    }
  }

  /** Runs `work` while holding the lock. */
  async with<T>(work: () => Promise<T>): Promise<T> {
    const held = await this.acquire();
    try {
      return await work();
    } finally {
      await held.release();
    }
  }

  private held(token: string): HeldLock {
    const timer = setInterval(() => void utimes(this.lockPath, new Date(), new Date()).catch(() => undefined), this.options.refreshMs);
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        const holder = await this.readHolder(this.lockPath);
        if (typeof holder === 'object' && holder.lock === token) await rm(this.lockPath, { force: true });
      },
    };
  }

  private async tryCreate(file: string, token: string): Promise<boolean> {
    let handle;
    try {
      handle = await open(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(JSON.stringify({ owner: this.options.owner, lock: token }));
    } catch (error) {
      // A lock that could not be written (a full disk) must not stay behind empty, for others to wait on.
      await handle.close().catch(() => undefined);
      await rm(file, { force: true }).catch(() => undefined);
      throw error;
    }
    await handle.close();
    return true;
  }

  private isGone(holder: z.infer<typeof LockFile> & { mtimeMs: number }): boolean {
    return isOwnerGone(holder.owner, holder.mtimeMs, Date.now(), this.options.silentMs);
  }

  private async readHolder(file: string): Promise<(z.infer<typeof LockFile> & { mtimeMs: number }) | 'missing' | 'unreadable'> {
    let text: string | undefined;
    let mtimeMs: number;
    try {
      // A regular file only: a FIFO planted where the lock goes must not hang us (it is an error, said as such).
      [text, mtimeMs] = await Promise.all([readRegularText(file, 64 * 1024), stat(file).then((s) => s.mtimeMs)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    if (text === undefined) return 'missing';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = LockFile.safeParse(json);
    if (parsed.success) return { ...parsed.data, mtimeMs };
    // Written but not yet filled in by a holder that is creating it right now: only old enough, it is debris. A time
    // stamp in the future (a clock changed, a file copied) counts by its distance, so it does not stay young for ever.
    return Math.abs(Date.now() - mtimeMs) > 2_000 ? 'unreadable' : 'missing';
  }

  /** Removes the lock of a gone holder, if it is still the one that was found (`lock`), under a take-over lock. */
  private async takeOver(lock: string | undefined): Promise<void> {
    const guard = `${this.lockPath}.takeover`;
    const token = randomBytes(8).toString('hex');
    if (!(await this.tryCreate(guard, token))) {
      // Someone else is taking it over; a guard left by a process that died in those few milliseconds is old.
      const age = await stat(guard).then((s) => Math.abs(Date.now() - s.mtimeMs), () => 0);
      if (age > 5_000) await rm(guard, { force: true });
      await delay(5);
      return;
    }
    try {
      const holder = await this.readHolder(this.lockPath);
      const same = lock === undefined ? holder === 'unreadable' : typeof holder === 'object' && holder.lock === lock;
      if (same) await rm(this.lockPath, { force: true });
    } finally {
      await rm(guard, { force: true });
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
