import { z } from 'zod';

// How a video was made, as Kling Preview shows it. The schema is the one source of the type: the host builds it
// from a sidecar (videoRecipe.ts), and the page checks it when it arrives. No Node import here: the page bundles it.

/** One shot of a multi-shot video, placed on the video's time line. */
export const RecipeShot = z.strictObject({
  /** 1-based, as in the request's `multi_prompt`. */
  index: z.int().positive(),
  prompt: z.string(),
  startSeconds: z.number().nonnegative(),
  endSeconds: z.number().nonnegative(),
});
export type RecipeShot = z.infer<typeof RecipeShot>;

export const RecipeFrame = z.strictObject({
  role: z.enum(['First frame', 'Last frame']),
  /** As sent: an upload's link or the user's own https URL. */
  url: z.string(),
  /** The workspace file it was uploaded from, relative to the workspace folder, if it was. */
  source: z.string().optional(),
});
export type RecipeFrame = z.infer<typeof RecipeFrame>;

export const RecipeElement = z.strictObject({
  /** `<<<element_1>>>` */
  token: z.string(),
  name: z.string().optional(),
  elementId: z.string(),
  description: z.string().optional(),
  /** The element's front view as a workspace file (workspace-relative), when it was made from one. */
  frontalImage: z.string().optional(),
});
export type RecipeElement = z.infer<typeof RecipeElement>;

/** Read from a sidecar (the exact request that was paid for) and nothing else. */
export const VideoRecipe = z.strictObject({
  /** The task's name in the Tasks view: the storyboard video's name or the start of the prompt. */
  title: z.string(),
  model: z.string(),
  prompt: z.string().optional(),
  negativePrompt: z.string().optional(),
  /** Our own shots with their time ranges; empty for a single shot or shots the model planned. */
  shots: z.array(RecipeShot),
  /** `shot_type: "intelligence"`: the model cut the video into shots itself, so there are no times to show. */
  shotsPlannedByModel: z.boolean(),
  durationSeconds: z.number().nonnegative(),
  aspectRatio: z.string(),
  quality: z.string(),
  sound: z.string(),
  /** First and last frame of an image-to-video request (URLs as sent). */
  imageStart: z.string().optional(),
  imageEnd: z.string().optional(),
  elementCount: z.int().nonnegative(),
  /** The frames with where they came from: the local file (workspace-relative) when it was uploaded from one. */
  frames: z.array(RecipeFrame),
  /** The elements the video names, in order (<<<element_1>>> first), with their names when the sidecar kept them. */
  elements: z.array(RecipeElement),
  watermark: z.boolean().optional(),
  price: z.strictObject({
    /** `$0.375` */
    usd: z.string(),
    credits: z.string(),
    /** What the service said it reserved, when it said. */
    reportedCredits: z.number().optional(),
  }),
  taskId: z.string(),
  createdAt: z.string(),
  completedAt: z.string().optional(),
  savedAt: z.string(),
  simulated: z.boolean(),
  /** The storyboard the video belongs to, when it came from one. */
  storyboard: z.strictObject({ path: z.string(), relativePath: z.string(), video: z.string().optional() }).optional(),
});
export type VideoRecipe = z.infer<typeof VideoRecipe>;
