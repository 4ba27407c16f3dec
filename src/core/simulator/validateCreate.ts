import type { z } from 'zod';
import {
  ASPECT_RATIOS,
  DURATION_MAX,
  DURATION_MIN,
  ELEMENT_MODEL,
  ElementRequest,
  PROMPT_MAX,
  QUALITIES,
  SHOT_PROMPT_MAX,
  VIDEO_MODELS,
  VideoRequest,
} from '../api/apiSchemas';
import type { ApiErrorInit } from './simulatorErrors';

export type CreateValidation =
  | { ok: true; kind: 'video'; request: VideoRequest }
  | { ok: true; kind: 'element'; request: ElementRequest }
  | { ok: false; status: 400 | 404; error: ApiErrorInit };

// What the service suggests for each field (docs/service-contract.md shows one: duration). Keyed by the param's first
// segments.
const SUGGESTIONS: ReadonlyArray<[RegExp, string]> = [
  [/^duration$/, `use duration between ${DURATION_MIN}-${DURATION_MAX} seconds`],
  [/^aspect_ratio$/, `use one of ${ASPECT_RATIOS.join(', ')}`],
  [/^quality$/, `use one of ${QUALITIES.join(', ')}`],
  [/^sound$/, 'use "on" or "off"'],
  [/^(prompt|negative_prompt)$/, `write a prompt of 1 to ${PROMPT_MAX} characters`],
  [/^model_params\.multi_prompt\.\d+\.prompt$/, `keep each shot prompt within ${SHOT_PROMPT_MAX} characters`],
  [/^model_params\.multi_prompt(\.|$)/, 'list 1-6 shots numbered from 1 whose durations add up to duration'],
  [/^model_params\.shot_type$/, 'set shot_type to "customize" or "intelligence" when multi_shot is true'],
  [/^model_params\.element_list/, 'list one element per <<<element_N>>> named in the prompt'],
  [/^(image_start|image_end)$/, 'use kling-v3-image-to-video with an image_start URL (and optionally image_end)'],
  [/^callback_url$/, 'use a public https:// URL, or leave callback_url out and poll the task'],
];

/**
 * Checks a create body with the shared zod schemas, picking the schema by `model` so that the first issue is about
 * the request the caller meant (the union of both schemas would only say that neither matched). Unknown models are
 * 404, as the contract's error table says.
 */
export function validateCreate(body: unknown): CreateValidation {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, status: 400, error: { message: 'The request body must be a JSON object' } };
  }
  const model = (body as Record<string, unknown>)['model'];
  if (model === undefined) {
    return { ok: false, status: 400, error: { message: 'model is required', param: 'model', fallbackSuggestion: modelList() } };
  }
  if (typeof model !== 'string') {
    return { ok: false, status: 400, error: { message: 'model must be a string', param: 'model', fallbackSuggestion: modelList() } };
  }
  if (model === ELEMENT_MODEL) {
    const parsed = ElementRequest.safeParse(body);
    return parsed.success ? { ok: true, kind: 'element', request: parsed.data } : invalid(parsed.error);
  }
  if ((VIDEO_MODELS as readonly string[]).includes(model)) {
    const parsed = VideoRequest.safeParse(body);
    return parsed.success ? { ok: true, kind: 'video', request: parsed.data } : invalid(parsed.error);
  }
  return { ok: false, status: 404, error: { message: `Model '${model}' not found`, param: 'model', fallbackSuggestion: modelList() } };
}

function invalid(error: z.ZodError): CreateValidation {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  // An unknown field is reported at the object that holds it; the field itself is the useful param.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const param = path.join('.');
  const init: ApiErrorInit = { message: issue.message };
  if (param !== '') init.param = param;
  const suggestion =
    issue.code === 'unrecognized_keys'
      ? 'remove the field; the API rejects fields it does not know'
      : SUGGESTIONS.find(([pattern]) => pattern.test(param))?.[1];
  if (suggestion) init.fallbackSuggestion = suggestion;
  return { ok: false, status: 400, error: init };
}

function modelList(): string {
  return `use one of ${[...VIDEO_MODELS, ELEMENT_MODEL].join(', ')}`;
}
