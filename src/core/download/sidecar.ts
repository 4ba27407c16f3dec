import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from '../journal/taskJournal';

// `<name>.mp4.json` beside each video (storyboard.md, "Results"): the exact request, its hash, the task id, the
// cost estimated and reported, the times, and the storyboard's path. It is what makes a video "up to date", and
// what the preview shows as the recipe. Paths in it are relative to its own folder, so it stays true in a clone.

export const SIDECAR_SUFFIX = '.json';

export const Sidecar = z.looseObject({
  kling: z.literal(1),
  request: z.record(z.string(), z.unknown()),
  requestHash: z.string(),
  taskId: z.string(),
  model: z.string(),
  /** Relative to the sidecar's folder. */
  storyboard: z.string().optional(),
  video: z.string().optional(),
  label: z.string().optional(),
  price: z.looseObject({
    estimated: z.looseObject({ usd: z.string(), credits: z.string(), seconds: z.number() }),
    reportedCredits: z.number().optional(),
  }),
  simulated: z.boolean(),
  bytes: z.number(),
  createdAt: z.string(),
  completedAt: z.string().optional(),
  savedAt: z.string(),
});
export type Sidecar = z.infer<typeof Sidecar>;

export function sidecarPathOf(videoPath: string): string {
  return `${videoPath}${SIDECAR_SUFFIX}`;
}

export async function writeSidecar(videoPath: string, sidecar: Sidecar): Promise<void> {
  await writeAtomically(sidecarPathOf(videoPath), `${JSON.stringify(sidecar, null, 2)}\n`);
}

/** The sidecar of a video, or undefined when there is none or it cannot be read. */
export async function readSidecar(videoPath: string): Promise<Sidecar | undefined> {
  try {
    const parsed = Sidecar.safeParse(JSON.parse(await readFile(sidecarPathOf(videoPath), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A video is up to date when its file is there, whole, and its sidecar records the same request hash. */
export async function isUpToDate(videoPath: string, requestHash: string): Promise<boolean> {
  const sidecar = await readSidecar(videoPath);
  if (!sidecar || sidecar.requestHash !== requestHash) return false;
  const size = await stat(videoPath).then((s) => s.size, () => -1);
  return size === sidecar.bytes;
}

/** The storyboard path as the sidecar records it: relative to the video's folder. */
export function relativeFromVideo(videoPath: string, target: string): string {
  return path.relative(path.dirname(videoPath), target).split(path.sep).join('/');
}
