// Play Storyboard's one timeline: a storyboard's chosen takes in file order, each video placed after the one before,
// with chapter marks per video and per shot. A video not rendered yet is a titled gap as long as the storyboard says
// it will be, so the length of the cut is honest. Plain data and a pure function, so the page and the tests share it;
// the host gathers the inputs (src/core/player/readStoryboardTimeline.ts).

import { z } from 'zod';

/** One shot of a video, in seconds from the start of that video. */
export const TimelineShot = z.strictObject({
  index: z.int().positive(),
  prompt: z.string(),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
});
export type TimelineShot = z.infer<typeof TimelineShot>;

/** What the timeline is made from, for one video of the storyboard, in file order. */
export interface TimelineSource {
  name: string;
  /** How long the storyboard says it is (its duration, else the sum of its shots, else 5 s). */
  plannedSeconds: number;
  /** Its shots as the storyboard says them (a gap shows them), none for one shot or shots the model plans. */
  plannedShots: readonly TimelineShot[];
  /** The chosen take at `<output>/<name>.mp4`, when there is one. */
  chosen?:
    | {
        path: string;
        /** The file's length (its MP4 index); the recipe's duration when the file cannot be read. */
        seconds: number;
        /** Its shots as it was made (its sidecar). */
        shots: readonly TimelineShot[];
        /** It is of the storyboard's request now (false: an older recipe, or one chosen by hand). */
        upToDate: boolean;
      }
    | undefined;
}

export type TimelineItem = {
  name: string;
  /** Its place in the storyboard, from 0. */
  index: number;
  start: number;
  end: number;
  shots: TimelineShot[];
} & ({ kind: 'video'; path: string; upToDate: boolean } | { kind: 'gap' });

export const TimelineChapter = z.strictObject({
  kind: z.enum(['video', 'shot']),
  /** Where it starts on the whole timeline, in seconds. */
  time: z.number().nonnegative(),
  /** The item it belongs to. */
  item: z.int().nonnegative(),
  label: z.string(),
});
export type TimelineChapter = z.infer<typeof TimelineChapter>;

export interface StoryboardTimeline {
  items: TimelineItem[];
  total: number;
  chapters: TimelineChapter[];
  /** How many videos are gaps (not rendered yet). */
  missing: number;
}

/** Lays the videos end to end. A video's shots are clipped to its length (a file a little shorter than asked). */
export function buildTimeline(sources: readonly TimelineSource[]): StoryboardTimeline {
  const items: TimelineItem[] = [];
  const chapters: TimelineChapter[] = [];
  let time = 0;
  sources.forEach((source, index) => {
    const seconds = Math.max(0, source.chosen?.seconds ?? source.plannedSeconds);
    const shots = (source.chosen?.shots ?? source.plannedShots)
      .filter((shot) => shot.start < seconds)
      .map((shot) => ({ ...shot, end: Math.min(shot.end, seconds) }));
    const base = { name: source.name, index, start: time, end: time + seconds, shots };
    items.push(source.chosen ? { ...base, kind: 'video', path: source.chosen.path, upToDate: source.chosen.upToDate } : { ...base, kind: 'gap' });
    chapters.push({ kind: 'video', time, item: index, label: source.chosen ? source.name : `${source.name} (not rendered yet)` });
    // The first shot starts with its video: one mark for both.
    for (const shot of shots.filter((s) => s.start > 0)) chapters.push({ kind: 'shot', time: time + shot.start, item: index, label: `${source.name} · shot ${shot.index}` });
    time += seconds;
  });
  return { items, total: time, chapters, missing: items.filter((item) => item.kind === 'gap').length };
}

/**
 * The item playing at `time` on the whole timeline, and the time within it. An item owns its start and not its end,
 * so at a cut the next video is the one playing; the end of the whole belongs to the last item.
 */
export function itemAt(timeline: { items: ReadonlyArray<Pick<TimelineItem, 'start' | 'end'>>; total: number }, time: number): { item: number; offset: number } | undefined {
  const { items } = timeline;
  if (items.length === 0) return undefined;
  const t = Math.min(Math.max(0, time), timeline.total);
  const index = items.findIndex((item) => t >= item.start && t < item.end);
  const at = index >= 0 ? index : items.length - 1;
  return { item: at, offset: t - items[at]!.start };
}

/** Shots from the storyboard's own list (durations in whole seconds), placed from the start of the video. */
export function shotsFromDurations(shots: ReadonlyArray<{ prompt: string; duration: number }>): TimelineShot[] {
  let start = 0;
  return shots.map((shot, i) => {
    const placed = { index: i + 1, prompt: shot.prompt, start, end: start + shot.duration };
    start += shot.duration;
    return placed;
  });
}
