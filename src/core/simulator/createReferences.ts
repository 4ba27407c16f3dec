import { isLoopbackHost } from '../api/baseUrlProblem';
import type { ElementRequest, VideoRequest } from '../api/apiSchemas';
import { checkImageBytes } from '../images/imageCheck';
import type { FileUploads } from './fileUploads';
import type { ApiErrorInit } from './simulatorErrors';
import type { SimulatorContext } from './simulatorContext';

/**
 * What a create refers to, checked as the service would when it fetches it (docs/service-contract.md,
 * "Image-to-video", "Custom element"): each image that is one of this simulator's own uploads must still be served
 * and be a usable frame (JPEG or PNG, at most 10 MB, short side ≥ 300 px, aspect within 1:2.5–2.5:1), and each
 * element id must be one this simulator created. The upload itself takes any image the Files API takes (GIF and WebP
 * too): the refusal comes when one is used, with the field as `param`. Links elsewhere on the internet are taken
 * unchecked, as the simulator cannot fetch them; links to this machine that are not live uploads of this simulator
 * (a stopped simulator's, say) could not be fetched by the service either, and are refused.
 */
export function createReferenceProblem(
  checked: { kind: 'video'; request: VideoRequest } | { kind: 'element'; request: ElementRequest },
  ctx: SimulatorContext,
  uploads: FileUploads,
): ApiErrorInit | undefined {
  const images: Array<[param: string, url: string | undefined]> = [];
  if (checked.kind === 'video') {
    images.push(['image_start', checked.request.image_start], ['image_end', checked.request.image_end]);
  } else {
    const list = checked.request.model_params.element_image_list;
    images.push(['model_params.element_image_list.frontal_image', list.frontal_image]);
    list.refer_images.forEach((image, i) => images.push([`model_params.element_image_list.refer_images.${i}.image_url`, image.image_url]));
  }
  for (const [param, url] of images) {
    if (url === undefined) continue;
    const problem = imageProblem(param, url, ctx, uploads);
    if (problem) return problem;
  }
  if (checked.kind === 'video') {
    const now = ctx.now();
    const list = checked.request.model_params?.element_list ?? [];
    for (const [i, { element_id }] of list.entries()) {
      const task = ctx.tasks.all().find((t) => t.kind === 'element' && t.elementId === element_id);
      const status = task ? ctx.tasks.phase(task, now).status : undefined;
      if (status !== 'completed') {
        return {
          message: task
            ? `Element '${element_id}' is not ready: its task is ${status}`
            : `Element '${element_id}' not found: create it with kling-custom-element first`,
          param: `model_params.element_list.${i}.element_id`,
          fallbackSuggestion: 'use the element_id of a completed kling-custom-element task',
        };
      }
    }
  }
  return undefined;
}

function imageProblem(param: string, url: string, ctx: SimulatorContext, uploads: FileUploads): ApiErrorInit | undefined {
  const field = param.replace(/^model_params\.element_image_list\./, '');
  const stored = uploads.lookup(url);
  if (stored === 'not-ours') {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return { message: `${field} is not a URL`, param };
    }
    if (!isLoopbackHost(host)) return undefined;
    return {
      message: `${field} cannot be fetched: ${url} is on the caller's machine, not on the internet`,
      param,
      fallbackSuggestion: 'upload the image with the Files API and send the file_url it returns',
    };
  }
  if (stored === 'gone') {
    return {
      message: `${field} cannot be fetched: the uploaded file is not found or has expired (uploads last ${Math.round(ctx.uploadTtlMs / 3_600_000)} hours)`,
      param,
      fallbackSuggestion: 'upload the image again and send the new file_url',
    };
  }
  const checked = checkImageBytes(stored, field);
  if (checked.ok) return undefined;
  return { message: checked.problem, param, fallbackSuggestion: 'use a JPEG or PNG of at most 10 MB, at least 300 px on the short side, with an aspect between 1:2.5 and 2.5:1' };
}
