import { openRegularFile } from './openRegularFile';

/**
 * The text of a small file of ours (a claim, the elements record, a lock): read only when it is a regular file,
 * never through a link, never from a FIFO or a device (which would hang or never end), and never past `maxBytes`.
 * Undefined when there is no such file; throws, with a message that names the file, for anything else.
 */
export async function readRegularText(filePath: string, maxBytes = 1024 * 1024): Promise<string | undefined> {
  let handle;
  try {
    handle = await openRegularFile(filePath, 'read');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new Error(`${filePath} is ${size} bytes, more than a file of Kling Studio's ever holds (${maxBytes})`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
