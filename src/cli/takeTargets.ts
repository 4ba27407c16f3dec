import * as path from 'node:path';
import { planStoryboard } from '../core/render/storyboardPlan';
import { findStoryboardFiles, locateVideo, storyboardLocationsOf } from '../core/records/locateVideo';
import { recordsElsewhere, type VideoPlace } from '../core/records/videoLocations';
import { UsageError, type CliContext } from './cliContext';
import { loadStoryboard, storyboardSearchRoot, workspaceRootFor } from './loadStoryboard';

/** A video whose takes `kling takes` and `kling use` work on. */
export interface TakeTarget {
  name: string;
  videoPath: string;
  /** The video and the folder of its records (its storyboard's `metadata` folder, else beside it). */
  place: VideoPlace;
  workspaceRoot: string;
  /** The request hash the storyboard asks for now (a take of another one is of an older recipe); unknown for a bare MP4. */
  requestHash: string | undefined;
}

/**
 * The videos a FILE argument names: a storyboard's (all, or the one named `video`), or an MP4 file itself (a video
 * made from a prompt, or a storyboard's video named by its path). Undefined after printing why the storyboard cannot
 * be read.
 */
export async function takeTargets(ctx: CliContext, file: string, video: string | undefined, root: string | undefined): Promise<TakeTarget[] | undefined> {
  if (file.toLowerCase().endsWith('.mp4')) {
    const videoPath = path.resolve(ctx.cwd, file);
    // Its records may be in the metadata folder of a storyboard that outputs here (locateVideo.ts); then the folder
    // that storyboard was found in is the workspace they must stay in.
    const searchRoot = storyboardSearchRoot(ctx, videoPath, root);
    const place = locateVideo(videoPath, await storyboardLocationsOf(await findStoryboardFiles(searchRoot)));
    const workspaceRoot = recordsElsewhere(place) ? searchRoot : workspaceRootFor(ctx, videoPath, root);
    return [{ name: path.basename(place.video, path.extname(place.video)), videoPath: place.video, place, workspaceRoot, requestHash: undefined }];
  }
  const loaded = await loadStoryboard(ctx, file, root);
  if (!loaded) return undefined;
  if (video !== undefined && !loaded.storyboard.videos.some((v) => v.name === video)) {
    throw new UsageError(`${file} has no video named "${video}"; its videos are ${loaded.storyboard.videos.map((v) => v.name).join(', ')}`);
  }
  // Prices and hashes only: nothing is sent, and neither the journal nor the claims are read.
  const plan = await planStoryboard(loaded.storyboard, { storyboardPath: loaded.storyboardPath, workspaceRoot: loaded.workspaceRoot, only: video ? [video] : undefined });
  return plan.videos.map((v) => ({ name: v.name, videoPath: v.outputPath, place: v.place, workspaceRoot: loaded.workspaceRoot, requestHash: v.requestHash }));
}
