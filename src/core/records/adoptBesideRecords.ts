import { lstat, mkdir, rename, rmdir } from 'node:fs/promises';
import * as path from 'node:path';
import { openRegularFile } from '../fs/openRegularFile';
import { assertInsideRoot } from '../fs/workspaceBoundary';
import { TAKES_FOLDER, videoStem } from '../takes/takeLayout';
import { besideSidecarPathOf, recordsElsewhere, sidecarPathOf, type VideoPlace } from './videoLocations';

/**
 * A storyboard that has just named a `"metadata"` folder still has the records of its saved videos beside them: the
 * up-to-date check finds them there (sidecar.ts), and a render moves them to the metadata folder, so the output folder
 * ends up with the deliverables only and nothing is paid again. The sidecar moves only when the metadata folder has
 * none of its own, the takes folder only when the metadata folder has none for the video: nothing is overwritten.
 * Returns what was moved, for the caller to say.
 */
export async function adoptBesideRecords(place: VideoPlace, root: string | undefined): Promise<string[]> {
  if (!recordsElsewhere(place)) return [];
  const moved: string[] = [];
  const into = async (target: string) => {
    if (root) await assertInsideRoot(path.dirname(target), root, 'the metadata folder');
    await mkdir(path.dirname(target), { recursive: true });
    if (root) await assertInsideRoot(path.dirname(target), root, 'the metadata folder');
  };
  const beside = besideSidecarPathOf(place);
  const sidecar = sidecarPathOf(place);
  if ((await isRegularFile(beside)) && !(await exists(sidecar))) {
    await into(sidecar);
    await rename(beside, sidecar);
    moved.push(sidecar);
  }
  const oldTakes = path.join(path.dirname(place.video), TAKES_FOLDER, videoStem(place.video));
  const newTakes = path.join(place.recordsDir, TAKES_FOLDER, videoStem(place.video));
  const oldStats = await lstat(oldTakes).catch(() => undefined);
  if (oldStats?.isDirectory() && !(await exists(newTakes))) {
    await into(newTakes);
    await rename(oldTakes, newTakes);
    moved.push(newTakes);
    // The `.takes` folder of the output folder goes once the last video's takes left it (rmdir: only when empty).
    await rmdir(path.dirname(oldTakes)).catch(() => undefined);
  }
  return moved;
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, () => false);
}

async function isRegularFile(file: string): Promise<boolean> {
  try {
    await (await openRegularFile(file, 'read')).close();
    return true;
  } catch {
    return false;
  }
}

/** Moves the records every video of a plan left beside it into its storyboard's metadata folder (see above). */
export async function adoptPlanRecords(plan: { videos: ReadonlyArray<{ place: VideoPlace }>; workspaceRoot?: string | undefined }): Promise<string[]> {
  const moved: string[] = [];
  for (const video of plan.videos) moved.push(...(await adoptBesideRecords(video.place, plan.workspaceRoot)));
  return moved;
}
