import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { readSidecar, writeSidecar } from '../download/sidecar';
import { writeAtomically } from '../fs/writeAtomically';
import { makeFastStart } from '../media/fastStartMp4';

/** Decodes a video's first frame as a JPEG (a browser does it: Kling Preview's page); undefined where none can. */
export type PosterMaker = (videoPath: string) => Promise<Uint8Array>;

export interface WebReadyResult {
  /** The saved MP4 has `moov` before `mdat` now (false when it could not be made so). */
  fastStart: boolean;
  /** `moov` was moved before `mdat` (false: it already was). */
  remuxed: boolean;
  /** The poster written beside the video, `<name>.jpg`. */
  poster?: string | undefined;
  /** Why a part could not be done; the video itself is saved either way. */
  problem?: string | undefined;
}

/**
 * `"web": true` once a video is saved: its MP4 made fast start (a remux, src/core/media/fastStartMp4.ts) and the
 * sidecar's byte count brought along, so the up-to-date check (request hash and size) still holds and the video is
 * not "to render" again; then its first frame as a poster `<name>.jpg`, when something can decode it.
 */
export async function makeWebReady(videoPath: string, options: { root?: string | undefined; poster?: PosterMaker | undefined }): Promise<WebReadyResult> {
  const result: WebReadyResult = { fastStart: false, remuxed: false };
  try {
    const before = await readSidecar(videoPath);
    const outcome = await makeFastStart(videoPath, { root: options.root });
    result.remuxed = outcome.kind === 'remuxed';
    result.fastStart = true;
    if (result.remuxed && before) {
      await writeSidecar(videoPath, { ...before, bytes: (await stat(videoPath)).size, webReady: { remuxedFromBytes: before.bytes } }, { root: options.root });
    }
  } catch (error) {
    return { ...result, problem: `it could not be made web-ready: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!options.poster) {
    return { ...result, problem: `its poster ${posterName(videoPath)} was not written: decoding H.264 needs a browser; render it in VS Code, or save its first frame from Kling Preview` };
  }
  try {
    const jpeg = await options.poster(videoPath);
    const poster = path.join(path.dirname(videoPath), posterName(videoPath));
    await writeAtomically(poster, jpeg, { root: options.root });
    result.poster = poster;
  } catch (error) {
    result.problem = `its poster ${posterName(videoPath)} was not written: ${error instanceof Error ? error.message : String(error)}`;
  }
  return result;
}

export function posterName(videoPath: string): string {
  return `${path.basename(videoPath, path.extname(videoPath))}.jpg`;
}
