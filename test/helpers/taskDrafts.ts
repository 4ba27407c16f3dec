import type { VideoRequest } from '../../src/core/api/apiSchemas';
import { formatAmount } from '../../src/core/pricing/decimal';
import { priceVideo } from '../../src/core/pricing/pricing';
import { requestHash } from '../../src/core/request/requestHash';
import type { Backend } from '../../src/core/journal/taskState';
import type { SubmitDraft } from '../../src/core/tasks/taskEngine';

export const SIMULATOR_BACKEND: Backend = { kind: 'simulator' };

/** A text-to-video create body with every setting spelled out, as the request builder makes them. */
export function aVideoRequest(changes: Partial<VideoRequest> = {}): VideoRequest {
  return {
    model: 'kling-v3-text-to-video',
    prompt: 'A red fox runs through fresh snow at dawn',
    duration: 5,
    aspect_ratio: '16:9',
    quality: '720p',
    sound: 'off',
    ...changes,
  };
}

/** What the engine is given for one video: the request, its hash and its price as the editor would compute them. */
export function aVideoDraft(outputPath: string, changes: Partial<VideoRequest> = {}, label = 'fox'): SubmitDraft {
  const request = aVideoRequest(changes);
  const price = priceVideo(request);
  return {
    kind: 'video',
    label,
    request,
    requestHash: requestHash(request),
    price: { seconds: price.seconds, usd: formatAmount(price.usd), credits: formatAmount(price.credits) },
    backend: SIMULATOR_BACKEND,
    videoName: label,
    outputPath,
  };
}

/** The text of a `.kling.json` with `count` short text-to-video videos named `shot-01`, `shot-02`, … */
export function aStoryboardText(count: number, output = 'renders'): string {
  const videos = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return { name: `shot-${n}`, prompt: `Scene ${n}: a paper boat drifts down a rain gutter`, duration: 3 };
  });
  return `${JSON.stringify({ version: 1, output, defaults: { aspect_ratio: '1:1', quality: '720p', sound: 'off' }, videos }, null, 2)}\n`;
}
