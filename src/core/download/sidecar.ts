import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { ElementUse } from '../elements/elementUse';
import { NotRegularFileError, openRegularFile } from '../fs/openRegularFile';
import { UploadRecord } from '../uploads/uploadRecord';
import { writeAtomically } from '../fs/writeAtomically';
import { errorText } from '../text/errorText';

// `<name>.mp4.json` beside each video (docs/storyboard-format.md, "Results and sidecars"): the exact request, its hash,
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

export function sidecarPathOf(videoPath: string): string {
  return `${videoPath}${SIDECAR_SUFFIX}`;
}

/** A sidecar is a few KB; anything far larger is not one, and is not read into memory. */
const SIDECAR_MAX_BYTES = 1024 * 1024;

/**
 * Writes the sidecar beside the video, atomically; with `root`, its folder must resolve inside that workspace (see
 * writeAtomically). A link in its place is replaced, never written through.
 */
export async function writeSidecar(videoPath: string, sidecar: Sidecar, options: { root?: string | undefined } = {}): Promise<void> {
  await writeAtomically(sidecarPathOf(videoPath), `${JSON.stringify(sidecar, null, 2)}\n`, { root: options.root });
}

/** The sidecar of a video, or undefined when there is none or it cannot be read. */
export async function readSidecar(videoPath: string): Promise<Sidecar | undefined> {
  const read = await loadSidecar(videoPath);
  return read.kind === 'found' ? read.sidecar : undefined;
}

export type SidecarRead =
  | { kind: 'found'; sidecar: Sidecar }
  /** No `<video>.json` beside the video: it was not made by Kling Studio, or its sidecar was not kept. */
  | { kind: 'missing' }
  /** There is one, but it is not JSON or not a sidecar; `problem` says what is wrong, for the user to fix. */
  | { kind: 'invalid'; problem: string };

/** The sidecar of a video, or why there is none: the preview tells a missing recipe from a broken one. */
export async function loadSidecar(videoPath: string): Promise<SidecarRead> {
  let text: string;
  try {
    // Not through a link (the sidecar is ours, written in place), and only a regular file: a FIFO would never end.
    const handle = await openRegularFile(sidecarPathOf(videoPath), 'read');
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
  if (parsed.success) return { kind: 'found', sidecar: parsed.data };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the file';
  return { kind: 'invalid', problem: `${where}: ${issue.message}` };
}

/**
 * A video is up to date when its file is there, whole, and its sidecar records the same request hash (or one of the
 * hashes earlier versions gave the same request: formerRequestHashes).
 */
export async function isUpToDate(videoPath: string, requestHash: string, formerHashes: readonly string[] = []): Promise<boolean> {
  const sidecar = await readSidecar(videoPath);
  if (!sidecar || (sidecar.requestHash !== requestHash && !formerHashes.includes(sidecar.requestHash))) return false;
  const size = await stat(videoPath).then((s) => s.size, () => -1);
  return size === sidecar.bytes;
}

/** The storyboard path as the sidecar records it: relative to the video's folder. */
export function relativeFromVideo(videoPath: string, target: string, pathApi: path.PlatformPath = path): string {
  return pathApi.relative(pathApi.dirname(videoPath), target).split(pathApi.sep).join('/');
}
