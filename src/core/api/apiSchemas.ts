import { z } from 'zod';
import { callbackUrlProblem, CALLBACK_URL_MAX } from '../net/publicHttpsUrl';

// The wire shapes of docs/service-contract.md. Requests are strict: the simulator rejects what the client must
// never send (decided: the real service's handling of unknown fields is undocumented). Responses are loose: the
// service may add fields, and a client that breaks on a new field would strand tasks that are already paid for.

export const ASPECT_RATIOS = ['16:9', '9:16', '1:1'] as const;
export const QUALITIES = ['720p', '1080p'] as const;
export const SOUNDS = ['off', 'on'] as const;
export const DURATION_MIN = 3;
export const DURATION_MAX = 15;
export const DURATION_DEFAULT = 5;
export const PROMPT_MAX = 2500;
export const SHOT_PROMPT_MAX = 512;
export const SHOTS_MAX = 6;

export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export type Quality = (typeof QUALITIES)[number];
export type Sound = (typeof SOUNDS)[number];

export const VIDEO_MODELS = ['kling-v3-text-to-video', 'kling-v3-image-to-video'] as const;
export const ELEMENT_MODEL = 'kling-custom-element';
export type VideoModel = (typeof VIDEO_MODELS)[number];

export { TASK_ID_PATTERN } from './taskId';

export const CallbackUrl = z
  .string({ error: 'callback_url must be text' })
  .max(CALLBACK_URL_MAX)
  .superRefine((value, ctx) => {
    const problem = callbackUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });

const oneOf = (field: string, values: readonly string[]) => ({
  error: () => `${field} must be one of ${values.join(', ')}`,
});

export const MultiPromptItem = z.strictObject({
  index: z.int().min(1),
  prompt: z.string().max(SHOT_PROMPT_MAX, { error: `each shot prompt is at most ${SHOT_PROMPT_MAX} characters` }),
  duration: z.string().regex(/^[1-9]\d*$/, { error: 'a shot duration is a string of whole seconds, at least "1"' }),
});

export const ModelParams = z.strictObject({
  multi_shot: z.boolean().optional(),
  shot_type: z.enum(['customize', 'intelligence'], oneOf('shot_type', ['customize', 'intelligence'])).optional(),
  multi_prompt: z.array(MultiPromptItem).min(1).max(SHOTS_MAX, { error: `multi_prompt holds 1 to ${SHOTS_MAX} shots` }).optional(),
  watermark_info: z.strictObject({ enabled: z.boolean() }).optional(),
  element_list: z.array(z.strictObject({ element_id: z.string().min(1) })).optional(),
});

const ImageUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of a JPEG or PNG image' });

export const VideoRequest = z
  .strictObject({
    model: z.enum(VIDEO_MODELS, oneOf('model', VIDEO_MODELS)),
    prompt: z
      .string({ error: 'prompt is required: text of at most 2500 characters' })
      .max(PROMPT_MAX, { error: `prompt is at most ${PROMPT_MAX} characters` }),
    negative_prompt: z.string().max(PROMPT_MAX, { error: `negative_prompt is at most ${PROMPT_MAX} characters` }).optional(),
    duration: z
      .int({ error: 'duration must be a whole number of seconds from 3 to 15' })
      .min(DURATION_MIN, { error: 'duration must be a whole number of seconds from 3 to 15' })
      .max(DURATION_MAX, { error: 'duration must be a whole number of seconds from 3 to 15' })
      .optional(),
    aspect_ratio: z.enum(ASPECT_RATIOS, oneOf('aspect_ratio', ASPECT_RATIOS)).optional(),
    quality: z.enum(QUALITIES, oneOf('quality', QUALITIES)).optional(),
    sound: z.enum(SOUNDS, oneOf('sound', SOUNDS)).optional(),
    callback_url: CallbackUrl.optional(),
    image_start: ImageUrl.optional(),
    image_end: ImageUrl.optional(),
    model_params: ModelParams.optional(),
  })
  .superRefine((request, ctx) => {
    const params = request.model_params ?? {};
    const customShots = params.multi_shot === true && params.shot_type === 'customize';
    if (request.prompt.trim() === '' && !customShots) {
      ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'prompt is required unless multi_shot is true with shot_type "customize"' });
    }
    if (params.multi_shot === true && params.shot_type === undefined) {
      ctx.addIssue({ code: 'custom', path: ['model_params', 'shot_type'], message: 'shot_type is required when multi_shot is true' });
    }
    if (customShots) {
      if (!params.multi_prompt) {
        ctx.addIssue({ code: 'custom', path: ['model_params', 'multi_prompt'], message: 'multi_prompt is required when shot_type is "customize"' });
      } else {
        const total = params.multi_prompt.reduce((sum, shot) => sum + Number(shot.duration), 0);
        const duration = request.duration ?? DURATION_DEFAULT;
        if (total !== duration) {
          ctx.addIssue({
            code: 'custom',
            path: ['model_params', 'multi_prompt'],
            message: `the shot durations add up to ${total} s but duration is ${duration} s`,
          });
        }
        params.multi_prompt.forEach((shot, i) => {
          if (shot.index !== i + 1) {
            ctx.addIssue({ code: 'custom', path: ['model_params', 'multi_prompt', i, 'index'], message: `shot indexes count from 1 in order; expected ${i + 1}` });
          }
        });
      }
    }
    if (request.model === 'kling-v3-text-to-video' && (request.image_start || request.image_end)) {
      ctx.addIssue({ code: 'custom', path: ['image_start'], message: 'images need the model kling-v3-image-to-video' });
    }
    if (request.model === 'kling-v3-image-to-video' && !request.image_start) {
      ctx.addIssue({ code: 'custom', path: ['image_start'], message: 'image_start is required for image-to-video (a last frame needs a first frame)' });
    }
    const elementCount = params.element_list?.length ?? 0;
    const prompts = [request.prompt, ...(params.multi_prompt ?? []).map((shot) => shot.prompt)];
    for (const n of elementReferences(prompts.join('\n'))) {
      if (n > elementCount) {
        ctx.addIssue({
          code: 'custom',
          path: ['model_params', 'element_list'],
          message: `the prompt names <<<element_${n}>>> but element_list has ${elementCount} element${elementCount === 1 ? '' : 's'}`,
        });
      }
    }
  });

export const ElementRequest = z.strictObject({
  model: z.literal(ELEMENT_MODEL),
  model_params: z.strictObject({
    element_name: z.string().min(1).max(20, { error: 'element_name is at most 20 characters' }),
    element_description: z.string().max(100, { error: 'element_description is at most 100 characters' }),
    reference_type: z.literal('image_refer'),
    element_image_list: z.strictObject({
      frontal_image: ImageUrl,
      refer_images: z.array(z.strictObject({ image_url: ImageUrl })).min(1).max(3, { error: 'refer_images holds 1 to 3 images' }),
    }),
  }),
});

export const CreateRequest = z.union([VideoRequest, ElementRequest]);

export type MultiPromptItem = z.infer<typeof MultiPromptItem>;
export type ModelParams = z.infer<typeof ModelParams>;
export type VideoRequest = z.infer<typeof VideoRequest>;
export type ElementRequest = z.infer<typeof ElementRequest>;
export type CreateRequest = z.infer<typeof CreateRequest>;

/** The element numbers a prompt names as `<<<element_N>>>`. */
export function elementReferences(prompt: string): number[] {
  return [...prompt.matchAll(/<<<element_(\d+)>>>/g)].map((m) => Number(m[1]));
}

export const TASK_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TaskError = z.looseObject({
  code: z.union([z.string(), z.number()]).transform(String),
  message: z.string().default(''),
});

export const Task = z.looseObject({
  id: z.string(),
  object: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  type: z.string().optional(),
  // Kept as text: a status this client does not know is reported as unknown, never mistaken for "still running".
  status: z.string(),
  progress: z.number().optional(),
  results: z.array(z.string()).optional(),
  result_data: z.array(z.looseObject({ video_url: z.string().optional(), duration: z.number().optional() })).optional(),
  task_info: z.looseObject({ can_cancel: z.boolean().optional(), estimated_time: z.number().optional(), video_duration: z.number().optional() }).optional(),
  usage: z.looseObject({ billing_rule: z.string().optional(), credits_reserved: z.number().optional(), user_group: z.string().optional() }).optional(),
  error: TaskError.optional(),
});
export type Task = z.infer<typeof Task>;

export const ApiErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().default(''),
    type: z.string().optional(),
    param: z.string().optional(),
    fallback_suggestion: z.string().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const Credits = z.looseObject({
  success: z.boolean().optional(),
  message: z.string().optional(),
  data: z.looseObject({
    user: z.looseObject({ remaining_credits: z.number(), used_credits: z.number() }).optional(),
    token: z
      .looseObject({ remaining_credits: z.number(), used_credits: z.number(), unlimited_credits: z.boolean().optional() })
      .optional(),
  }),
});
export type Credits = z.infer<typeof Credits>;

export const FileUpload = z.looseObject({
  success: z.boolean().optional(),
  data: z.looseObject({ file_url: z.string() }),
});
export type FileUpload = z.infer<typeof FileUpload>;
