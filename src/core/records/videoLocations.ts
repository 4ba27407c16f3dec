import * as path from 'node:path';
import { STORYBOARD_SUFFIX } from '../storyboard/storyboardSuffix';

// The one answer to "where does the record of video X live" (docs/storyboard-format.md, "Keeping the records out of the output folder"). A
// video is a deliverable in its storyboard's output folder; its records are the sidecar (`<name>.mp4.json`), the claims
// and their lock, the frame records (`<name>.last.png.json`), the element registry and the takes
// (`.takes/<name>/`). They sit beside the video, as they always did, unless the storyboard names a `"metadata"`
// folder: then they all go there, and the output folder holds only what a page needs. A video's claim lives in its
// records folder, so a journal entry's `claim.dir` says where the rest of its records are. Paths only, no file
// system: the activation bundle uses these too.

/** A video file and the folder of its records. */
export interface VideoPlace {
  video: string;
  recordsDir: string;
}

/** A video by its path (records beside it) or by its place. */
export type VideoRef = string | VideoPlace;

export function placeOf(ref: VideoRef): VideoPlace {
  return typeof ref === 'string' ? { video: ref, recordsDir: path.dirname(ref) } : ref;
}

/** The records are not beside the video. */
export function recordsElsewhere(ref: VideoRef): boolean {
  const place = placeOf(ref);
  return path.resolve(place.recordsDir) !== path.resolve(path.dirname(place.video));
}

/** `<records>/<name>.mp4.json`. */
export function sidecarPathOf(ref: VideoRef): string {
  const place = placeOf(ref);
  return path.join(place.recordsDir, `${path.basename(place.video)}.json`);
}

/** Where a video's sidecar was before its storyboard named a metadata folder: beside it. */
export function besideSidecarPathOf(ref: VideoRef): string {
  return `${placeOf(ref).video}.json`;
}

/** The place of the video saved at `outputPath` whose claim is in `claimDir` (a journal entry's `claim.dir`). */
export function placeOfEntry(entry: { outputPath: string; claim?: { dir: string } | undefined }): VideoPlace {
  return { video: entry.outputPath, recordsDir: entry.claim?.dir ?? path.dirname(entry.outputPath) };
}

/** A storyboard's output folder and the folder of its records (the same folder unless it names `"metadata"`). */
export class VideoLocations {
  constructor(
    readonly outputDir: string,
    readonly metadataDir: string = outputDir,
  ) {}

  /** The records are in a folder of their own. */
  get separate(): boolean {
    return path.resolve(this.outputDir) !== path.resolve(this.metadataDir);
  }

  /** `<output>/<name>.mp4`. */
  videoPath(name: string): string {
    return path.join(this.outputDir, `${name}.mp4`);
  }

  /** The video named `name` with its records' folder. */
  place(name: string): VideoPlace {
    return { video: this.videoPath(name), recordsDir: this.metadataDir };
  }

  /** A file of the output folder (a video, a frame) with its records' folder; undefined for a file elsewhere. */
  placeOfFile(file: string): VideoPlace | undefined {
    return path.resolve(path.dirname(file)) === path.resolve(this.outputDir) ? { video: file, recordsDir: this.metadataDir } : undefined;
  }

  /** The video a take in this metadata folder belongs to (`<metadata>/.takes/hero/x.mp4` → hero's place). */
  videoOfTake(takePath: string): VideoPlace | undefined {
    const stemDir = path.dirname(takePath);
    const takesDir = path.dirname(stemDir);
    if (path.basename(takesDir) !== '.takes' || path.resolve(path.dirname(takesDir)) !== path.resolve(this.metadataDir)) return undefined;
    return this.place(path.basename(stemDir));
  }

  /** The record of a frame file (`<output>/hero.last.png` → `<records>/hero.last.png.json`). */
  frameRecordPath(framePath: string): string {
    return path.join(this.metadataDir, `${path.basename(framePath)}.json`);
  }
}

/** Where a storyboard's results go: its `output`, else a folder named after the file (docs/storyboard-format.md). */
export function storyboardOutputDir(storyboardPath: string, storyboard: { output?: string | undefined }, pathApi: path.PlatformPath = path): string {
  const dir = pathApi.dirname(storyboardPath);
  if (storyboard.output) return pathApi.resolve(dir, storyboard.output);
  const base = pathApi.basename(storyboardPath);
  const stem = base.endsWith(STORYBOARD_SUFFIX) ? base.slice(0, -STORYBOARD_SUFFIX.length) : pathApi.parse(base).name;
  return pathApi.resolve(dir, stem);
}

/** Where a storyboard's videos and their records go: its output folder, and its `metadata` folder (else the same). */
export function storyboardLocations(storyboardPath: string, storyboard: { output?: string | undefined; metadata?: string | undefined }): VideoLocations {
  const outputDir = storyboardOutputDir(storyboardPath, storyboard);
  return new VideoLocations(outputDir, storyboard.metadata ? path.resolve(path.dirname(storyboardPath), storyboard.metadata) : outputDir);
}
