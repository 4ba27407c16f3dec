import * as path from 'node:path';
import { VideoRequest } from '../api/apiSchemas';
import type { Sidecar } from '../download/sidecar';
import { formatAmount } from '../pricing/decimal';
import { priceVideo } from '../pricing/pricing';
import type { SubmitDraft } from '../tasks/taskEngine';

export type RegenerateDraft =
  | { ok: true; draft: Omit<SubmitDraft, 'backend'>; replacesVideo: boolean }
  | { ok: false; problem: string };

/**
 * The same request again, from a video's sidecar, ready for the money guards: priced with today's table (what it
 * will cost now, not what it cost then) and checked with the API schema, since a sidecar is a file anyone can edit
 * and nothing unchecked is sent.
 *
 * A storyboard's video is made again where the storyboard puts it (`<output>/<name>.mp4`, replaced when the new one
 * is whole), so the storyboard stays up to date; a video made from a prompt gets a new file beside it and the take
 * being judged is kept.
 */
export function regenerateDraft(sidecar: Sidecar, videoPath: string, now = new Date()): RegenerateDraft {
  const parsed = VideoRequest.safeParse(sidecar.request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `request.${issue.path.join('.')}` : 'request';
    return { ok: false, problem: `The recipe in ${path.basename(videoPath)}.json cannot be sent again: ${where}: ${issue.message}.` };
  }
  const request = parsed.data;
  const price = priceVideo({ duration: request.duration, quality: request.quality, sound: request.sound });
  const storyboardPath = sidecar.storyboard ? path.resolve(path.dirname(videoPath), sidecar.storyboard) : undefined;
  const replacesVideo = storyboardPath !== undefined && sidecar.video !== undefined;
  return {
    ok: true,
    replacesVideo,
    draft: {
      kind: 'video',
      label: sidecar.label ?? sidecar.video ?? path.basename(videoPath, '.mp4'),
      request,
      // The sidecar's hash, not one computed again: for a storyboard video it covers local images by their content
      // rather than by the short-lived URLs in the request, and it is what the storyboard's up-to-date check compares.
      requestHash: sidecar.requestHash,
      price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
      storyboardPath,
      videoName: replacesVideo ? sidecar.video : undefined,
      outputPath: replacesVideo ? videoPath : newTakePath(videoPath, now),
      // Its frames' sources, for planUploadRefresh (a link that expired is uploaded again), and its elements' names.
      uploads: sidecar.uploads,
      elements: sidecar.elements,
    },
  };
}

/**
 * Why a request that names elements cannot go to `backend` as it is, or undefined: element ids belong to the
 * backend that made them (the simulator's mean nothing to the Kling API, and the other way round).
 */
export function elementsBackendProblem(request: { model_params?: { element_list?: unknown[] | undefined } | undefined }, madeOnSimulator: boolean, backend: { kind: 'api' | 'simulator' }): string | undefined {
  if (!request.model_params?.element_list?.length) return undefined;
  if (madeOnSimulator === (backend.kind === 'simulator')) return undefined;
  const from = madeOnSimulator ? 'the simulator' : 'the Kling API';
  const to = backend.kind === 'simulator' ? 'the simulator' : 'the Kling API';
  return `Its elements were made on ${from}, and their ids mean nothing to ${to}. Render its storyboard (or generate it from the composer) to make them there first.`;
}

/** `clip-20261125-101500.mp4` → `clip-<now>.mp4` in the same folder; the date stamp as Generate from Prompt writes it. */
export function newTakePath(videoPath: string, now: Date): string {
  const stem = path.basename(videoPath, path.extname(videoPath)).replace(/-\d{8}-\d{6}$/, '');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join(path.dirname(videoPath), `${stem}-${stamp}.mp4`);
}
