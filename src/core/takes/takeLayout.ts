import * as path from 'node:path';
import { placeOf, type VideoRef } from '../records/videoLocations';

// Where takes live (docs/storyboard-format.md, "Takes"). Every render of a video is a take, kept in a hidden folder
// beside the video: `<output>/.takes/<name>/<created>-<task8>.mp4` with its sidecar; the chosen take is at the
// video's own path, `<output>/<name>.mp4`, as it always was. A storyboard with a `"metadata"` folder keeps them there
// instead (`<metadata>/.takes/<name>/`, videoLocations.ts): takes are records of what was made, not deliverables. Paths only, no file system and no zod: the activation
// bundle (the Tasks view, the preview's title) uses these too.

/** The hidden folder beside the videos that holds their takes, one folder per video. */
export const TAKES_FOLDER = '.takes';

export { MAX_TAKES } from './takeLimits';

/** `hero.mp4` → `hero` (the folder of its takes). */
export function videoStem(videoPath: string): string {
  const base = path.basename(videoPath);
  const ext = path.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

/** `<records>/.takes/<stem>`: the folder of a video's takes. */
export function takesDirOf(video: VideoRef): string {
  const place = placeOf(video);
  return path.join(place.recordsDir, TAKES_FOLDER, videoStem(place.video));
}

/** `20261202-172206`: a time in UTC, as take names and ad-hoc file names carry it. */
export function timeStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The last eight letters or digits of a task id (`task-unified-1796232126-ojs98ylc` → `ojs98ylc`). */
export function shortTaskId(taskId: string): string {
  return taskId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(-8) || 'task';
}

/**
 * A take's file name: when its task was journaled, then its task id. Both are known to every process that follows the
 * task (they are in its claim), so each names the file the same, and names sort oldest first.
 */
export function takeFileName(createdAtMs: number, taskId: string): string {
  return `${timeStamp(createdAtMs)}-${shortTaskId(taskId)}.mp4`;
}

/** Where the take a task makes of the video at `videoPath` is saved. */
export function takePathOf(video: VideoRef, createdAtMs: number, taskId: string): string {
  return path.join(takesDirOf(video), takeFileName(createdAtMs, taskId));
}

/** The video a take belongs to (`<dir>/.takes/hero/x.mp4` → `<dir>/hero.mp4`), or undefined for a file that is no take. */
export function videoPathOfTake(filePath: string): string | undefined {
  const stemDir = path.dirname(filePath);
  const takesDir = path.dirname(stemDir);
  if (path.basename(takesDir) !== TAKES_FOLDER || path.extname(filePath).toLowerCase() !== '.mp4') return undefined;
  return path.join(path.dirname(takesDir), `${path.basename(stemDir)}.mp4`);
}

/** The video a file stands for: the video itself, or the video of a take. */
export function chosenPathOf(filePath: string): string {
  return videoPathOfTake(filePath) ?? filePath;
}
