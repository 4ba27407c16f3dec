import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { readRegularText } from '../fs/readRegularText';
import { STORYBOARD_SUFFIX } from '../storyboard/storyboardSuffix';
import { storyboardLocations, type VideoLocations, type VideoPlace } from './videoLocations';

// A video opened by its path alone (Kling Preview, `kling takes hero.mp4`) has no storyboard to say where its records
// are. Nothing is written into the output folder to point at them (it would be published with the videos); instead the
// storyboards of the workspace are asked: one whose output folder holds the file and that names a `metadata` folder
// has its records. A file no such storyboard claims has them beside it, as always. A take kept in a metadata folder is
// mapped back to its video the same way. docs/storyboard-format.md, "Keeping the records out of the output folder".

/** The storyboards' folders, read loosely: a storyboard with problems elsewhere still says where its records go. */
export async function storyboardLocationsOf(storyboardPaths: readonly string[]): Promise<VideoLocations[]> {
  const found: VideoLocations[] = [];
  for (const file of storyboardPaths) {
    let json: unknown;
    try {
      json = JSON.parse((await readRegularText(file)) ?? 'null');
    } catch {
      continue;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) continue;
    const { output, metadata } = json as Record<string, unknown>;
    if (typeof metadata !== 'string' || metadata === '') continue;
    found.push(storyboardLocations(file, { output: typeof output === 'string' && output !== '' ? output : undefined, metadata }));
  }
  return found;
}

/**
 * Where the records of `file` are: the video itself for a video of an output folder whose storyboard names a metadata
 * folder, the chosen video for a take kept there, else the file with its records beside it.
 */
export function locateVideo(file: string, locations: readonly VideoLocations[]): VideoPlace {
  for (const where of locations) {
    const place = where.placeOfFile(file) ?? where.videoOfTake(file);
    if (place) return place;
  }
  return { video: file, recordsDir: path.dirname(file) };
}

const SKIPPED = new Set(['node_modules', '.git']);

/** The storyboard files under `root`, for a caller with no editor to find them (the CLI); at most `limit` folders read. */
export async function findStoryboardFiles(root: string, limit = 2000): Promise<string[]> {
  const found: string[] = [];
  const queue = [root];
  for (let read = 0; queue.length > 0 && read < limit; read++) {
    const dir = queue.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED.has(entry.name) && !entry.name.startsWith('.')) queue.push(path.join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith(STORYBOARD_SUFFIX)) found.push(path.join(dir, entry.name));
    }
  }
  return found;
}
