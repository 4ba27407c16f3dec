import * as path from 'node:path';
import { DURATION_DEFAULT } from '../api/apiSchemas';
import type { Sidecar } from '../download/sidecar';
import { formatUsd, parseAmount } from '../pricing/decimal';
import type { RecipeElement, RecipeFrame, RecipeShot, VideoRecipe } from './videoRecipeSchema';

export type { RecipeElement, RecipeFrame, RecipeShot, VideoRecipe } from './videoRecipeSchema';

/**
 * The recipe of the video at `videoPath` from its sidecar. The request is read field by field rather than trusted:
 * a sidecar is a file in the user's repo and may have been edited by hand. Gaps get the service's defaults, the
 * same ones the request builder fills in, so what is shown is what was made.
 */
export function videoRecipe(sidecar: Sidecar, videoPath: string): VideoRecipe {
  const request = sidecar.request;
  const params = record(request['model_params']);
  const duration = wholeNumber(request['duration']) ?? DURATION_DEFAULT;
  const shotType = text(params?.['shot_type']);
  const storyboardPath = sidecar.storyboard ? path.resolve(path.dirname(videoPath), sidecar.storyboard) : undefined;
  return {
    title: sidecar.label ?? sidecar.video ?? path.basename(videoPath),
    model: sidecar.model,
    prompt: nonEmpty(text(request['prompt'])),
    negativePrompt: nonEmpty(text(request['negative_prompt'])),
    shots: shotType === 'intelligence' ? [] : shotsOf(params?.['multi_prompt']),
    shotsPlannedByModel: shotType === 'intelligence',
    durationSeconds: duration,
    aspectRatio: text(request['aspect_ratio']) ?? '16:9',
    quality: text(request['quality']) ?? '720p',
    sound: text(request['sound']) ?? 'off',
    imageStart: text(request['image_start']),
    imageEnd: text(request['image_end']),
    elementCount: Array.isArray(params?.['element_list']) ? params['element_list'].length : 0,
    frames: framesOf(sidecar),
    elements: elementsOf(sidecar, params?.['element_list']),
    watermark: typeof record(params?.['watermark_info'])?.['enabled'] === 'boolean' ? Boolean(record(params?.['watermark_info'])!['enabled']) : undefined,
    price: {
      usd: usdText(sidecar.price.estimated.usd),
      credits: sidecar.price.estimated.credits,
      reportedCredits: sidecar.price.reportedCredits,
    },
    taskId: sidecar.taskId,
    createdAt: sidecar.createdAt,
    completedAt: sidecar.completedAt,
    savedAt: sidecar.savedAt,
    simulated: sidecar.simulated,
    storyboard: storyboardPath
      ? { path: storyboardPath, relativePath: sidecar.storyboard!, video: sidecar.video }
      : undefined,
  };
}

/** Shots from `multi_prompt`: each starts where the one before it ended (durations are whole seconds, as strings). */
function shotsOf(value: unknown): RecipeShot[] {
  if (!Array.isArray(value)) return [];
  const shots: RecipeShot[] = [];
  let start = 0;
  value.forEach((item, i) => {
    const shot = record(item);
    const seconds = Number(shot?.['duration']);
    if (!shot || !Number.isFinite(seconds) || seconds <= 0) return;
    shots.push({ index: wholeNumber(shot['index']) ?? i + 1, prompt: text(shot['prompt']) ?? '', startSeconds: start, endSeconds: start + seconds });
    start += seconds;
  });
  return shots;
}

function framesOf(sidecar: Sidecar): RecipeFrame[] {
  const frames: RecipeFrame[] = [];
  for (const [field, role] of [['image_start', 'First frame'], ['image_end', 'Last frame']] as const) {
    const url = text(sidecar.request[field]);
    if (!url) continue;
    const upload = sidecar.uploads?.find((u) => u.field === field && u.url === url);
    frames.push({ role, url, source: upload?.source });
  }
  return frames;
}

function elementsOf(sidecar: Sidecar, list: unknown): RecipeElement[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i) => {
    const id = text(record(item)?.['element_id']);
    if (!id) return [];
    const use = sidecar.elements?.find((e) => e.element_id === id);
    return [{ token: `<<<element_${i + 1}>>>`, name: use?.name, elementId: id, description: use?.description, frontalImage: use?.frontal_image }];
  });
}

function usdText(usd: string): string {
  try {
    return formatUsd(parseAmount(usd));
  } catch {
    return `$${usd}`;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
