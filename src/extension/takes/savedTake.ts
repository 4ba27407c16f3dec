import { readFileSync, statSync } from 'node:fs';
import type { JournalEntry } from '../../core/journal/taskState';
import { takePathOf } from '../../core/takes/takeLayout';

// The take a saved task made, for the Tasks view and its notifications: light (no zod, no core bundle), since the
// Tasks view draws while the extension activates. Synchronous and small: two stats, at most one small read.

export interface SavedTake {
  /** The take's own file, under the video's takes folder. */
  path: string;
  /** It is the video now (`<name>.mp4` is this take). */
  inUse: boolean;
}

/** The take a saved video task made, or undefined (not saved, saved before takes existed, or deleted since). */
export function savedTakeOf(entry: JournalEntry): SavedTake | undefined {
  if (entry.state.status !== 'saved' || entry.kind !== 'video' || !entry.outputPath || !entry.taskId) return undefined;
  const take = takePathOf(entry.outputPath, entry.createdAt, entry.taskId);
  const taken = statSync(take, { throwIfNoEntry: false });
  if (!taken?.isFile()) return undefined;
  const video = statSync(entry.outputPath, { throwIfNoEntry: false });
  if (!video?.isFile()) return { path: take, inUse: false };
  if (video.ino === taken.ino && video.dev === taken.dev) return { path: take, inUse: true };
  // A copy where the file system has no hard links: the video's sidecar names its task.
  return { path: take, inUse: video.size === taken.size && sidecarTaskId(entry.outputPath) === entry.taskId };
}

function sidecarTaskId(videoPath: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(`${videoPath}.json`, 'utf8')) as { taskId?: unknown };
    return typeof json.taskId === 'string' ? json.taskId : undefined;
  } catch {
    return undefined;
  }
}
