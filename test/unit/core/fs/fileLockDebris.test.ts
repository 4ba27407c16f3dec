import assert from 'node:assert/strict';
import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FileLock } from '../../../../src/core/fs/fileLock';
import { newOwner } from '../../../../src/core/process/processOwner';

// A lock file that its creator never filled in (killed between the O_EXCL create and the write) is debris once it is
// old. "Old" is judged by its mtime against this machine's clock; an mtime ahead of the clock (a network folder whose
// server runs ahead, a clock stepped back by NTP after the crash, a folder copied from a machine set ahead) makes the
// empty file look as if it were being written right now, and acquire() loops on it (without a pause, and without its
// time-out, which is only checked for a live holder) until the clock catches up.

describe('FileLock: an empty lock file dated in the future', () => {
  it('acquire() ends within its time-out (taking the debris over, or refusing with LockTimeoutError), instead of spinning', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'kling-lock-debris-')), '.kling-claims.lock');
    await writeFile(file, '');
    const anHourAhead = new Date(Date.now() + 3_600_000);
    await utimes(file, anHourAhead, anHourAhead);

    const lock = new FileLock(file, { owner: newOwner('test'), timeoutMs: 500 });
    let timer: NodeJS.Timeout | undefined;
    const acquiring = lock.acquire().then(
      async (held) => {
        await held.release();
        return 'acquired';
      },
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
    const outcome = await Promise.race([acquiring, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('spinning'), 5_000)))]);
    clearTimeout(timer);
    if (outcome === 'spinning') {
      // Let the loop out (the debris now looks old), so this test's process can end.
      await utimes(file, new Date(0), new Date(0));
      await acquiring;
    }
    assert.notEqual(outcome, 'spinning', 'acquire() was still looping on the empty lock file 10 times past its time-out');
  });
});
