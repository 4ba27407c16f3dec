import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { openRegularFile } from './openRegularFile';
import { assertInsideRoot } from './workspaceBoundary';

export interface WriteAtomicallyOptions {
  /**
   * The workspace the file must stay in: its folder is checked (by real path) before anything is written and again
   * just before the rename, so a folder swapped for a link to the outside in between is caught.
   */
  root?: string | undefined;
}

/**
 * Writes a file so that readers see either the old or the whole new content, and the new content survives a crash:
 * a new temporary file beside it (O_EXCL, so a file or link already there is never written through), flushed,
 * renamed over the target, and the folder flushed so that the rename itself is on disk. A rename replaces a link at
 * the target rather than writing through it.
 */
export async function writeAtomically(filePath: string, content: string | Uint8Array, options: WriteAtomicallyOptions = {}): Promise<void> {
  const folder = path.dirname(filePath);
  const what = `the folder of ${path.basename(filePath)}`;
  // Checked before mkdir: `mkdir -p` would follow a link to the outside and make folders there.
  if (options.root) await assertInsideRoot(folder, options.root, what);
  await mkdir(folder, { recursive: true });
  const temp = path.join(folder, `.${path.basename(filePath)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await openRegularFile(temp, 'create');
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.root) await assertInsideRoot(folder, options.root, what);
    await rename(temp, filePath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/**
 * Flushes a folder's entries (a rename, a new file) to disk: without it, a crash soon after a rename can bring back
 * the old name on ext4 and others. Windows cannot open a folder as a file, and NTFS journals the rename itself, so
 * there it is skipped.
 */
export async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
