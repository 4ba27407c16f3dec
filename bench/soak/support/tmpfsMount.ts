import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small RAM file system mounted over a folder for one row: the way to make a disk really fill up (ENOSPC). */
export interface TmpfsMount {
  /** Grows (or shrinks) it in place: the files stay, the space changes. */
  resize(bytes: number): Promise<void>;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes` over `folder`. Needs root (or CAP_SYS_ADMIN); throws with mount's own words otherwise. */
export async function mountTmpfs(folder: string, bytes: number): Promise<TmpfsMount> {
  // No Node API mounts a file system: mount(8) it is.
  await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', folder]);
  let mounted = true;
  return {
    resize: async (size) => {
      await run('mount', ['-o', `remount,size=${size}`, folder]);
    },
    unmount: async () => {
      if (!mounted) return;
      mounted = false;
      // Lazily if something still holds a file there: the row's folder must be removable afterwards.
      await run('umount', [folder]).catch(() => run('umount', ['-l', folder]));
    },
  };
}

/** Why mount cannot be used here, in mount's words, or undefined. */
export function mountFailure(error: unknown): string {
  const e = error as { stderr?: string; message?: string; code?: string };
  return (e.stderr?.trim() || e.message || String(error)).split('\n')[0]!;
}
