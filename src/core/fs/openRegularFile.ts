import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

// Opening a file we read or write without following a symbolic link planted in its place, and only if it is a
// regular file. O_NOFOLLOW makes the open itself fail on a link (ELOOP), with no window between a check and the
// open. Windows has no O_NOFOLLOW (fs.constants leaves it out): there an lstat just before the open refuses a link,
// which leaves a short window in which a link could be swapped in; nothing better is reachable from Node there.
// O_NONBLOCK makes opening a FIFO for reading return at once instead of waiting for a writer, so that the fstat
// after it can refuse it; Linux ignores it for regular files.

const NOFOLLOW: number = constants.O_NOFOLLOW ?? 0;
const NONBLOCK: number = constants.O_NONBLOCK ?? 0;

export type OpenMode =
  /** Read an existing file. */
  | 'read'
  /** Create a new file; fails if anything (a file, a link, a dangling link) is already at the path. */
  | 'create'
  /** Read and write an existing file (resume a partial download). */
  | 'update';

// O_NONBLOCK on every mode: opening a FIFO for writing then fails at once (ENXIO) instead of waiting for a reader.
const FLAGS: Record<OpenMode, number> = {
  read: constants.O_RDONLY,
  create: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
  update: constants.O_RDWR,
};

/** A path that holds something other than a regular file (a folder, a link, a FIFO, a socket, a device). */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly filePath: string,
    readonly kind: string,
  ) {
    super(`${filePath} is ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
  }
}

/** What a stat says a path is, in words for a message. */
export function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a file';
}

/**
 * Opens `filePath` without following a symbolic link at its last component, and only if what it opened is a
 * regular file (checked on the open handle, so a swap after the open changes nothing). A link there fails with a
 * {@link NotRegularFileError} of kind "a symbolic link". New files get mode 0o666 less the umask, as `open` does.
 */
export async function openRegularFile(filePath: string, mode: OpenMode): Promise<FileHandle> {
  if (NOFOLLOW === 0) {
    const before = await lstat(filePath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && mode === 'create') return undefined;
      throw error;
    });
    if (before?.isSymbolicLink()) throw new NotRegularFileError(filePath, 'a symbolic link');
  }
  let handle: FileHandle;
  try {
    handle = await open(filePath, FLAGS[mode] | NOFOLLOW | NONBLOCK, 0o666);
  } catch (error) {
    // ELOOP is how O_NOFOLLOW reports a link (EMLINK on FreeBSD); say what it means.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw new NotRegularFileError(filePath, 'a symbolic link');
    if (code === 'EISDIR') throw new NotRegularFileError(filePath, 'a folder');
    if (code === 'ENXIO') {
      const stats = await lstat(filePath).catch(() => undefined);
      throw new NotRegularFileError(filePath, stats ? kindOf(stats) : 'not a file');
    }
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFileError(filePath, kindOf(stats));
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
