import * as path from 'node:path';
import type { VideoRequest } from '../api/apiSchemas';
import { requestHash } from '../request/requestHash';
import type { FrameReference } from '../storyboard/storyboardSchema';
import { sha256OfFile } from './frameFiles';
import type { VideoSpec } from '../request/buildRequest';

/** What of a planned video (src/core/render/storyboardPlan.ts) its frames of other videos touch. */
interface FramedVideo {
  name: string;
  spec: VideoSpec;
  hashedRequest: VideoRequest;
  requestHash: string;
  frameReferences: ReadonlyMap<string, FrameReference>;
}

/**
 * How a frame of another video enters a request's hash: as the bytes of that video (its frame follows from them), so
 * the hash is known before the frame is taken and stays the same once it is.
 */
export function frameMarker(reference: FrameReference, sourceSha256: string | undefined): string {
  return `frame:${reference.frame}:${sourceSha256 ?? 'not-rendered'}`;
}

/**
 * The video with its hash taken again over its sources as they are now: a video that continues one this very render
 * made was planned over the source as it was (or over none), and its sidecar must name the request it was made from,
 * or the next render would find it out of date and pay for it again.
 */
export async function withCurrentFrames<V extends FramedVideo>(video: V, outputDir: string): Promise<V> {
  const marker = async (reference: string | undefined) => {
    const frame = reference === undefined ? undefined : video.frameReferences.get(reference);
    return frame && frameMarker(frame, await sha256OfFile(path.join(outputDir, `${frame.from}.mp4`)).catch(() => undefined));
  };
  const start = await marker(video.spec.image);
  const end = video.spec.end_image !== undefined ? await marker(video.spec.end_image) : video.spec.loop ? start : undefined;
  const hashedRequest: VideoRequest = { ...video.hashedRequest, ...(start ? { image_start: start } : {}), ...(end ? { image_end: end } : {}) };
  return { ...video, hashedRequest, requestHash: requestHash(hashedRequest) };
}

/**
 * The videos in an order where each comes after the videos whose frames it starts or ends on (validation refuses
 * circles), otherwise as listed: a render that takes jobs in this order never has every worker waiting on a source
 * no worker has started.
 */
export function sourcesFirst<T extends Pick<FramedVideo, 'name' | 'frameReferences'>>(videos: readonly T[]): T[] {
  const byName = new Map(videos.map((v) => [v.name, v]));
  const ordered: T[] = [];
  const placed = new Set<string>();
  const place = (video: T, path: ReadonlySet<string>) => {
    if (placed.has(video.name) || path.has(video.name)) return;
    const next = new Set(path).add(video.name);
    for (const reference of video.frameReferences.values()) {
      const source = byName.get(reference.from);
      if (source) place(source, next);
    }
    placed.add(video.name);
    ordered.push(video);
  };
  for (const video of videos) place(video, new Set());
  return ordered;
}
