import * as path from 'node:path';
import { VideoRequest } from '../api/apiSchemas';
import type { Sidecar } from '../download/sidecar';
import { formatAmount } from '../pricing/decimal';
import { priceVideo } from '../pricing/pricing';
import { chosenPathOf } from '../takes/takeLayout';
import type { SubmitDraft } from '../tasks/taskEngine';

export type RegenerateDraft =
  /** `videoPath`: the video the new task makes a take of (the one the take being regenerated belongs to). */
  | { ok: true; draft: Omit<SubmitDraft, 'backend'>; videoPath: string }
  | { ok: false; problem: string };

/**
 * The same request again, from a video's sidecar, ready for the money guards: priced with today's table (what it
 * will cost now, not what it cost then) and checked with the API schema, since a sidecar is a file anyone can edit
 * and nothing unchecked is sent.
 *
 * The new video is a take of the same video (docs/storyboard-format.md, "Takes"): kept beside the take being judged,
 * in the video's takes folder, and not put in the video's place while one is there (`keepChosen`): the user compares
 * them and uses the one they like. Regenerating a take opens it as a take of its video, the same way.
 */
export function regenerateDraft(sidecar: Sidecar, videoPath: string): RegenerateDraft {
  const parsed = VideoRequest.safeParse(sidecar.request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `request.${issue.path.join('.')}` : 'request';
    return { ok: false, problem: `The recipe in ${path.basename(videoPath)}.json cannot be sent again: ${where}: ${issue.message}.` };
  }
  const request = parsed.data;
  const price = priceVideo({ duration: request.duration, quality: request.quality, sound: request.sound });
  const storyboardPath = sidecar.storyboard ? path.resolve(path.dirname(videoPath), sidecar.storyboard) : undefined;
  const ofStoryboard = storyboardPath !== undefined && sidecar.video !== undefined;
  const video = chosenPathOf(videoPath);
  return {
    ok: true,
    videoPath: video,
    draft: {
      kind: 'video',
      label: sidecar.label ?? sidecar.video ?? path.basename(video, '.mp4'),
      request,
      // The sidecar's hash, not one computed again: for a storyboard video it covers local images by their content
      // rather than by the short-lived URLs in the request, and it is what the storyboard's up-to-date check compares.
      requestHash: sidecar.requestHash,
      price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
      storyboardPath: ofStoryboard ? storyboardPath : undefined,
      videoName: ofStoryboard ? sidecar.video : undefined,
      outputPath: video,
      keepChosen: true,
      // Its frames' sources, for planUploadRefresh (a link that expired is uploaded again), and its elements' names.
      uploads: sidecar.uploads,
      elements: sidecar.elements,
    },
  };
}
