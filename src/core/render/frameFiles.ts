import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from '../fs/writeAtomically';
import type { FrameReference } from '../storyboard/storyboardSchema';
import { VideoLocations } from '../records/videoLocations';

// A frame taken out of a video lands beside it as `<name>.first.png` or `<name>.last.png`, with a record
// `<name>.last.png.json` (beside it, or in the storyboard's metadata folder: videoLocations.ts) that says which bytes of `<name>.mp4` it came from: a storyboard's frame reference
// (`{ "from": "hero", "frame": "last" }`) uses the file only while the video is still those bytes
// (docs/storyboard-format.md, "Frames from other videos"). Decoding H.264 needs a browser, so Kling Preview's page
// extracts frames; this module only names, records and checks them.

export const FrameRecord = z.object({
  /** The video's file name, in the frame's folder. */
  source: z.string(),
  /** SHA-256 of the video's bytes when the frame was taken. */
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  frame: z.enum(['first', 'last']),
  width: z.int().positive(),
  height: z.int().positive(),
});
export type FrameRecord = z.infer<typeof FrameRecord>;

/** `hero.mp4`'s last frame: `hero.last.png` beside it. */
export function frameFilePath(videoPath: string, frame: FrameReference['frame']): string {
  return path.join(path.dirname(videoPath), `${path.basename(videoPath, path.extname(videoPath))}.${frame}.png`);
}

/** The record of a frame: `<frame>.json` beside it, or in the metadata folder of `locations`. */
export function frameRecordPath(framePath: string, locations?: VideoLocations): string {
  return locations ? locations.frameRecordPath(framePath) : `${framePath}.json`;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes the frame and then its record, both atomically, inside `root`. */
export async function writeFrameFile(videoPath: string, frame: FrameReference['frame'], png: Uint8Array, size: { width: number; height: number }, root: string, locations?: VideoLocations): Promise<string> {
  const framePath = frameFilePath(videoPath, frame);
  const record: FrameRecord = { source: path.basename(videoPath), sourceSha256: await sha256OfFile(videoPath), frame, ...size };
  await writeAtomically(framePath, png, { root });
  await writeAtomically(frameRecordPath(framePath, locations), `${JSON.stringify(record, null, 2)}\n`, { root });
  return framePath;
}

/** Takes a frame out of a saved video (the editor decodes in a webview; the CLI has no H.264 decoder). */
export type FrameExtractor = (videoPath: string, frame: FrameReference['frame']) => Promise<{ bytes: Uint8Array; width: number; height: number }>;

export type FrameFileState = { kind: 'ready'; framePath: string } | { kind: 'missing' | 'stale' | 'no-source'; framePath: string; message: string };

/**
 * Whether the frame `reference` names can be sent as it is: the source video is there, its frame file is there, and
 * the record says it was taken from these very bytes of the video (a video made again has another last frame).
 */
export async function frameFileState(where: string | VideoLocations, reference: FrameReference): Promise<FrameFileState> {
  const locations = typeof where === 'string' ? new VideoLocations(where) : where;
  const videoPath = locations.videoPath(reference.from);
  const framePath = frameFilePath(videoPath, reference.frame);
  const videoName = path.basename(videoPath);
  const frameName = path.basename(framePath);
  const how = `open ${videoName} in Kling Preview in VS Code and choose ${reference.frame === 'last' ? 'Continue from Last Frame' : 'Use as First Frame at 0:00'} (it writes ${frameName} beside it), then render again`;
  const sourceHash = await sha256OfFile(videoPath).catch(() => undefined);
  if (sourceHash === undefined) return { kind: 'no-source', framePath, message: `it starts from the ${reference.frame} frame of "${reference.from}", which has not been rendered yet (${videoName}): render "${reference.from}" first` };
  const record = await readFile(frameRecordPath(framePath, locations), 'utf8').then(
    (text) => FrameRecord.safeParse(JSON.parse(text)),
    () => undefined,
  ).catch(() => undefined);
  const png = await readFile(framePath).then(() => true, () => false);
  if (!png || !record?.success) {
    return { kind: 'missing', framePath, message: `the ${reference.frame} frame of "${reference.from}" has not been extracted yet: decoding H.264 needs a browser, so ${how}` };
  }
  if (record.data.sourceSha256 !== sourceHash || record.data.frame !== reference.frame) {
    return { kind: 'stale', framePath, message: `${frameName} was taken from an earlier ${videoName}: ${how}` };
  }
  return { kind: 'ready', framePath };
}
