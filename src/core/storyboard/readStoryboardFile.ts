import { stat } from 'node:fs/promises';
import { kindOf, NotRegularFileError, openRegularFile } from '../fs/openRegularFile';
import { checkInsideRoot } from '../fs/workspaceBoundary';
import type { ProblemCode } from './storyboardDocument';
import { STORYBOARD_MAX_BYTES, tooLargeProblem } from './storyboardLimits';
import { errorText } from '../text/errorText';

export type StoryboardRead =
  | { ok: true; text: string }
  /** `problem` completes a sentence that starts with the file's name: "is a FIFO (named pipe), not a regular file". */
  | { ok: false; code: Extract<ProblemCode, 'unreadable' | 'too-large' | 'path-outside-workspace'>; problem: string };

/**
 * Reads a storyboard from disk as the CLI and the editor do, refusing at once what is not one: something other than
 * a regular file (a FIFO would block a plain read forever, a device never ends), a file over STORYBOARD_MAX_BYTES,
 * a file that leads outside the workspace. Looked at with stat before it is opened, then opened without following
 * links (its real path, found by the containment check) and without blocking, and checked again on the handle.
 * A UTF-8 byte order mark is dropped.
 */
export async function readStoryboardFile(storyboardPath: string, workspaceRoot: string): Promise<StoryboardRead> {
  let size: number;
  try {
    const stats = await stat(storyboardPath);
    if (stats.isDirectory()) return { ok: false, code: 'unreadable', problem: 'is a folder, not a storyboard' };
    if (!stats.isFile()) return { ok: false, code: 'unreadable', problem: `is ${kindOf(stats)}, not a regular file` };
    size = stats.size;
  } catch (error) {
    return { ok: false, code: 'unreadable', problem: describeReadError(error) };
  }
  if (size > STORYBOARD_MAX_BYTES) return tooLarge(size);
  const boundary = await checkInsideRoot(storyboardPath, workspaceRoot);
  if (!boundary.inside) return { ok: false, code: 'path-outside-workspace', problem: `leads outside the workspace (${workspaceRoot}): ${boundary.reason}` };
  let bytes: Buffer;
  try {
    const handle = await openRegularFile(boundary.realPath, 'read');
    try {
      // One byte more than the limit tells a file that grew past it since the stat (it is then refused as it is).
      bytes = Buffer.alloc(Math.min((await handle.stat()).size, STORYBOARD_MAX_BYTES) + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
        if (filled === bytes.length) break;
      }
      bytes = bytes.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof NotRegularFileError) return { ok: false, code: 'unreadable', problem: `is ${error.kind}, not a regular file` };
    return { ok: false, code: 'unreadable', problem: describeReadError(error) };
  }
  if (bytes.length > STORYBOARD_MAX_BYTES) return tooLarge(bytes.length);
  // TextDecoder drops a leading byte order mark (ignoreBOM is false by default) and replaces invalid UTF-8.
  return { ok: true, text: new TextDecoder('utf-8').decode(bytes) };
}

function tooLarge(bytes: number): StoryboardRead {
  return { ok: false, code: 'too-large', problem: tooLargeProblem(bytes) };
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, not a storyboard';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read: permission denied';
  return `cannot be read (${code ?? (errorText(error))})`;
}
