import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { ElementUse } from '../elements/elementUse';
import { NotRegularFileError, openRegularFile } from '../fs/openRegularFile';
import { UploadRecord } from '../uploads/uploadRecord';
import { writeAtomically } from '../fs/writeAtomically';
import { errorText } from '../text/errorText';
import { besideSidecarPathOf, placeOf, recordsElsewhere, sidecarPathOf, type VideoRef } from '../records/videoLocations';

export { sidecarPathOf } from '../records/videoLocations';

// `<name>.mp4.json` beside each video, or in its storyboard's metadata folder (videoLocations.ts; docs/storyboard-format.md,
// "Results and sidecars"): the exact request, its hash,
// the task id, the cost estimated and reported, the times, and the storyboard's path. It is what makes a video "up to
// date", and what the preview shows as the recipe. Paths in it are relative to its own folder, so it stays true in a
// clone.

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
  /**
   * Each local image uploaded for it: its source (relative to the workspace), the sha256 of what was sent, the link
   * and when it expires. Regenerate sends a live link again, uploads an expired one from its unchanged source, and
   * refuses when the source changed or is gone.
   */
  uploads: z.array(UploadRecord).optional(),
  /** The elements of `model_params.element_list`, in order, with their names. */
  elements: z.array(ElementUse).optional(),
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

/** A sidecar is a few KB; anything far larger is not one, and is not read into memory. */
const SIDECAR_MAX_BYTES = 1024 * 1024;

/**
 * Writes the sidecar beside the video, atomically; with `root`, its folder must resolve inside that workspace (see
 * writeAtomically). A link in its place is replaced, never written through.
 */
export async function writeSidecar(video: VideoRef, sidecar: Sidecar, options: { root?: string | undefined } = {}): Promise<void> {
  await writeAtomically(sidecarPathOf(video), `${JSON.stringify(sidecar, null, 2)}\n`, { root: options.root });
  // One left beside the video from before its storyboard named a metadata folder is replaced by this one.
  if (recordsElsewhere(video)) await removeBesideSidecar(video);
}

/** Removes the sidecar beside a video whose records are elsewhere (a regular file only; a link is left to the user). */
export async function removeBesideSidecar(video: VideoRef): Promise<void> {
  const beside = besideSidecarPathOf(video);
  try {
    await (await openRegularFile(beside, 'read')).close();
  } catch {
    return;
  }
  await rm(beside, { force: true });
}

/** The sidecar of a video, or undefined when there is none or it cannot be read. */
export async function readSidecar(video: VideoRef): Promise<Sidecar | undefined> {
  const read = await loadSidecar(video);
  return read.kind === 'found' ? read.sidecar : undefined;
}

export type SidecarRead =
  /** `beside`: found beside the video although its records are now in a metadata folder (moved on the next save). */
  | { kind: 'found'; sidecar: Sidecar; file: string; beside?: boolean }
  /** No `<video>.json` beside the video: it was not made by Kling Studio, or its sidecar was not kept. */
  | { kind: 'missing' }
  /** There is one, but it is not JSON or not a sidecar; `problem` says what is wrong, for the user to fix. */
  | { kind: 'invalid'; problem: string };

/**
 * The sidecar of a video, or why there is none: the preview tells a missing recipe from a broken one. A video whose
 * records are in a metadata folder and that has no sidecar there is looked for beside the video, where it was saved
 * before the storyboard named that folder: switching the option never makes a saved video look out of date.
 */
export async function loadSidecar(video: VideoRef): Promise<SidecarRead> {
  const read = await loadSidecarFile(sidecarPathOf(video));
  if (read.kind !== 'missing' || !recordsElsewhere(video)) return read;
  const beside = await loadSidecarFile(besideSidecarPathOf(video));
  return beside.kind === 'found' ? { ...beside, beside: true } : read;
}

async function loadSidecarFile(file: string): Promise<SidecarRead> {
  let text: string;
  try {
    // Not through a link (the sidecar is ours, written in place), and only a regular file: a FIFO would never end.
    const handle = await openRegularFile(file, 'read');
    try {
      if ((await handle.stat()).size > SIDECAR_MAX_BYTES) return { kind: 'invalid', problem: 'it is far too large to be a sidecar' };
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof NotRegularFileError) return { kind: 'invalid', problem: `it is ${error.kind}, not a regular file` };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'invalid', problem: `it cannot be read (${code ?? String(error)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', problem: `it is not valid JSON (${errorText(error)})` };
  }
  const parsed = Sidecar.safeParse(json);
  if (parsed.success) return { kind: 'found', sidecar: parsed.data, file };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the file';
  return { kind: 'invalid', problem: `${where}: ${issue.message}` };
}

/**
 * A video is up to date when its file is there, whole, and its sidecar records the same request hash (or one of the
 * hashes earlier versions gave the same request: formerRequestHashes).
 */
export async function isUpToDate(video: VideoRef, requestHash: string, formerHashes: readonly string[] = []): Promise<boolean> {
  const sidecar = await readSidecar(video);
  if (!sidecar || (sidecar.requestHash !== requestHash && !formerHashes.includes(sidecar.requestHash))) return false;
  const size = await stat(placeOf(video).video).then((s) => s.size, () => -1);
  return size === sidecar.bytes;
}

/** The storyboard path as the sidecar records it: relative to the sidecar's folder. */
export function relativeFromVideo(video: VideoRef, target: string, pathApi: path.PlatformPath = path): string {
  const folder = typeof video === 'string' ? pathApi.dirname(video) : video.recordsDir;
  return pathApi.relative(folder, target).split(pathApi.sep).join('/');
}

/**
 * A sidecar read from `sidecarFile` with its storyboard path made relative to the video's own folder, as a sidecar
 * beside the video has it: what the preview and the player show (videoRecipe) need not know where it was kept.
 */
export function asIfBeside(sidecar: Sidecar, sidecarFile: string, videoPath: string): Sidecar {
  if (!sidecar.storyboard) return sidecar;
  const storyboard = path.resolve(path.dirname(sidecarFile), sidecar.storyboard);
  return { ...sidecar, storyboard: path.relative(path.dirname(videoPath), storyboard).split(path.sep).join('/') };
}
