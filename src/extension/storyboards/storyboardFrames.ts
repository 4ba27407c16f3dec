import * as path from 'node:path';
import { frameFileState, writeFrameFile, type FrameExtractor } from '../../core/render/frameFiles';
import type { PosterMaker } from '../../core/render/makeWebReady';
import type { StoryboardPlan } from '../../core/render/storyboardPlan';
import type { ExtensionLog } from '../log/extensionLog';
import { grabFrameInWebview } from '../preview/frameGrabber';

/**
 * Before a render: each frame of another video that the videos to render name (`{ "from": "hero", "frame": "last" }`)
 * is taken from that video as it is now, where it is missing or was taken from an earlier file, by decoding it in a
 * webview (src/extension/preview/frameGrabber.ts). A source this render makes is left to the render, which makes it
 * first and then takes its frame through webviewFrame.
 */
export async function extractStoryboardFrames(plan: StoryboardPlan, log: ExtensionLog): Promise<void> {
  const root = plan.workspaceRoot;
  if (!root) return;
  for (const video of plan.videos) {
    if (video.state.kind !== 'to-render') continue;
    for (const reference of video.frameReferences.values()) {
      const made = plan.videos.find((v) => v.name === reference.from);
      if (made && made.state.kind !== 'up-to-date') continue;
      const state = await frameFileState(plan.locations, reference);
      if (state.kind !== 'missing' && state.kind !== 'stale') continue;
      const source = path.join(plan.outputDir, `${reference.from}.mp4`);
      try {
        const frame = await grabFrameInWebview(source, reference.frame, 'image/png');
        await writeFrameFile(source, reference.frame, frame.bytes, frame, root, plan.locations);
        log.info(`${video.name}: took the ${reference.frame} frame of ${path.basename(source)} as ${path.basename(state.framePath)}`);
      } catch (error) {
        // The render then refuses the video with what to do; the log says why the frame could not be taken.
        log.warn(`${video.name}: the ${reference.frame} frame of ${path.basename(source)} could not be taken: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** A `"web"` video's poster: its first frame as a JPEG, decoded in a webview. */
export const webviewPoster: PosterMaker = async (videoPath) => (await grabFrameInWebview(videoPath, 'first', 'image/jpeg')).bytes;

/** A frame of a video this render saved, for the videos that continue it (renderStoryboard writes it beside the video). */
export const webviewFrame: FrameExtractor = (videoPath, frame) => grabFrameInWebview(videoPath, frame, 'image/png');
