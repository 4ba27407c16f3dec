import { asIfBeside, loadSidecar } from '../download/sidecar';
import { readMp4Info } from '../media/mp4Info';
import { videoRecipe } from '../preview/videoRecipe';
import type { StoryboardPlan } from '../render/storyboardPlan';
import { buildTimeline, shotsFromDurations, type StoryboardTimeline, type TimelineSource } from './storyboardTimeline';

/**
 * The timeline of a planned storyboard, from what is on disk: each video's chosen take (`<output>/<name>.mp4`), its
 * length from the file and its shots from its sidecar; a video with no file is a gap of its planned length.
 */
export async function readStoryboardTimeline(plan: Pick<StoryboardPlan, 'videos'>): Promise<StoryboardTimeline> {
  const sources = await Promise.all(
    plan.videos.map(async (video): Promise<TimelineSource> => {
      const plannedShots = Array.isArray(video.spec.shots) ? shotsFromDurations(video.spec.shots) : [];
      const base = { name: video.name, plannedSeconds: video.spec.duration, plannedShots };
      const info = await readMp4Info(video.outputPath).catch(() => undefined);
      if (!info) return base;
      const read = await loadSidecar(video.place);
      const recipe = read.kind === 'found' ? videoRecipe(asIfBeside(read.sidecar, read.file, video.outputPath), video.outputPath) : undefined;
      const shots = recipe ? recipe.shots.map((s) => ({ index: s.index, prompt: s.prompt, start: s.startSeconds, end: s.endSeconds })) : plannedShots;
      return {
        ...base,
        chosen: {
          path: video.outputPath,
          seconds: info.durationSeconds > 0 ? info.durationSeconds : (recipe?.durationSeconds ?? video.spec.duration),
          shots,
          upToDate: read.kind === 'found' && read.sidecar.requestHash === video.requestHash,
        },
      };
    }),
  );
  return buildTimeline(sources);
}
