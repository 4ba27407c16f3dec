import { z } from 'zod';
import { ASPECT_RATIOS, QUALITIES, SOUNDS, CallbackUrl, DURATION_MAX, DURATION_MIN, PROMPT_MAX, SHOT_PROMPT_MAX, SHOTS_MAX } from '../api/apiSchemas';
import { MAX_TAKES } from '../takes/takeLimits';
import { describeValue } from '../text/describeValue';

// The `.kling.json` format of docs/storyboard-format.md. This file is the one source of truth: the TypeScript
// types, the runtime checks, the generated JSON Schema (hovers come from `.describe()`) and the messages.
// Rules that need more than one field, or the file system, live in storyboardRules.ts and storyboardFiles.ts.

export const VIDEO_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const ELEMENT_NAME_MAX = 20;
export const ELEMENT_DESCRIPTION_MAX = 100;
export const REFER_IMAGES_MAX = 3;

const seconds = (field: string, min: number, max?: number) => {
  const range = max === undefined ? `, at least ${min}` : ` from ${min} to ${max}`;
  const message = (issue: { input?: unknown }) =>
    `${field} must be a whole number of seconds${range}; got ${describeValue(issue.input)}`;
  const schema = z.int({ error: message }).min(min, { error: message });
  return max === undefined ? schema : schema.max(max, { error: message });
};

const text = (field: string, max: number) =>
  z
    .string({ error: (issue) => `${field} must be text; got ${describeValue(issue.input)}` })
    .max(max, { error: (issue) => `${field} is ${String(issue.input).length} characters long; the limit is ${max}` });

const choice = <const T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, {
    error: (issue) => `${field} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(issue.input)}`,
  });

const imagePath = (field: string) =>
  z
    .string({ error: (issue) => `${field} must be a path relative to this file, or an https URL; got ${describeValue(issue.input)}` })
    .min(1, { error: `${field} must not be empty` });

/** Which frame of another video a frame reference takes. */
export const FRAME_CHOICES = ['first', 'last'] as const;

/**
 * A frame of another video of the same file, as a first or last frame: a shot that continues another starts from its
 * last frame. The source is rendered first and the frame is taken from its saved file (docs/storyboard-format.md,
 * "Frames from other videos").
 */
export const FrameReference = z
  .strictObject({
    from: z
      .string({ error: (issue) => `from must be the name of another video of this file; got ${describeValue(issue.input)}` })
      .regex(VIDEO_NAME_PATTERN, { error: (issue) => `from must be the name of another video of this file; got ${describeValue(issue.input)}` })
      .describe('The name of another video of this file, whose frame this is. It is rendered first.'),
    frame: choice('frame', FRAME_CHOICES).describe('Which frame of that video: "first" or "last".'),
  })
  .describe('A frame of another video of this file, e.g. { "from": "hero", "frame": "last" } to continue "hero".');
export type FrameReference = z.infer<typeof FrameReference>;

const frameImage = (field: string, what: string) =>
  z.union([imagePath(field), FrameReference], {
    error: (issue) =>
      `${field} must be a path relative to this file, an https URL, or a frame of another video such as { "from": "hero", "frame": "last" }; got ${describeValue(issue.input)}`,
  }).describe(what);

const flag = (field: string) => z.boolean({ error: (issue) => `${field} must be true or false; got ${describeValue(issue.input)}` });

const common = {
  negative_prompt: text('negative_prompt', PROMPT_MAX).describe('What the video should not show. At most 2500 characters.').optional(),
  aspect_ratio: choice('aspect_ratio', ASPECT_RATIOS).describe('Frame shape: 16:9 (landscape), 9:16 (portrait) or 1:1. Default 16:9.').optional(),
  quality: choice('quality', QUALITIES).describe('Resolution: 720p or 1080p. 1080p costs a third more. Default 720p.').optional(),
  sound: choice('sound', SOUNDS).describe('Generate sound with the video: "on" costs half as much again. Default "off".').optional(),
  watermark: z
    .boolean({ error: (issue) => `watermark must be true or false; got ${describeValue(issue.input)}` })
    .describe('Ask the service to add its watermark.').optional(),
  takes: z
    .int({ error: (issue) => `takes must be a whole number from 1 to ${MAX_TAKES}; got ${describeValue(issue.input)}` })
    .min(1, { error: (issue) => `takes must be a whole number from 1 to ${MAX_TAKES}; got ${describeValue(issue.input)}` })
    .max(MAX_TAKES, { error: (issue) => `takes must be a whole number from 1 to ${MAX_TAKES}; got ${describeValue(issue.input)}` })
    .describe(
      `How many takes a render makes of this video, 1 to ${MAX_TAKES}: each is a task of its own, paid for, and kept in .takes/; the first to arrive becomes <name>.mp4 and you choose among them. Default 1.`,
    )
    .meta({ examples: [2] })
    .optional(),
  web: flag('web')
    .describe(
      'Web-ready: after the MP4 is saved it is rewritten with its index (moov) first, so a browser can start playing it before it has all of it (the same frames: a remux, never a re-encode), and its first frame is written beside it as the poster <name>.jpg. Default false.',
    )
    .optional(),
  callback_url: CallbackUrl.describe(
    'HTTPS address the service notifies when the task ends (your own server; Kling Studio itself polls). No private or loopback address, at most 2048 characters.',
  ).optional(),
};

export const StoryboardDefaults = z
  .strictObject(common)
  .describe('Settings applied to every video unless the video says otherwise.');

export const Shot = z
  .strictObject({
    prompt: text('shot prompt', SHOT_PROMPT_MAX).describe('What happens in this shot. At most 512 characters.'),
    duration: seconds('shot duration', 1)
      .describe('Length of this shot in whole seconds (at least 1). The shots add up to the video duration.')
      .meta({ examples: [3] }),
  })
  .describe('One shot of a multi-shot video.');

export const Shots = z
  .union(
    [
      z.literal('auto'),
      z
        .array(Shot)
        .min(1, { error: `shots needs at least one shot (or use "auto")` })
        .max(SHOTS_MAX, { error: (issue) => `a video has at most ${SHOTS_MAX} shots; this one has ${(issue.input as unknown[]).length}` }),
    ],
    { error: (issue) => `shots must be "auto" or a list of 1 to ${SHOTS_MAX} shots; got ${describeValue(issue.input)}` },
  )
  .describe('Multi-shot: a list of shots with their own prompts and durations, or "auto" to let the model plan the shots.');

export const StoryboardVideo = z
  .strictObject({
    name: z
      .string({ error: (issue) => `name must be text; got ${describeValue(issue.input)}` })
      .regex(VIDEO_NAME_PATTERN, {
        error: (issue) =>
          `name must start with a lowercase letter or digit and use only a-z, 0-9, "-" and "_"; got ${describeValue(issue.input)}`,
      })
      .describe('Unique name in this file; the result is saved as <name>.mp4. Lowercase letters, digits, "-" and "_".'),
    prompt: text('prompt', PROMPT_MAX)
      .describe('What the video shows. At most 2500 characters. Name elements as <<<element_1>>>, <<<element_2>>>…')
      .optional(),
    duration: seconds('duration', DURATION_MIN, DURATION_MAX)
      .describe('Length in whole seconds, 3 to 15. Default 5, or the sum of the shots. Billed per second.')
      .meta({ examples: [5] })
      .optional(),
    shots: Shots.optional(),
    image: frameImage(
      'image',
      'First frame (makes this an image-to-video): a JPEG or PNG path relative to this file, an https URL, or a frame of another video of this file ({ "from": "hero", "frame": "last" }).',
    ).optional(),
    end_image: frameImage(
      'end_image',
      'Last frame; needs `image`. JPEG or PNG, relative path or https URL, or a frame of another video ({ "from": "hero", "frame": "first" }).',
    ).optional(),
    loop: flag('loop')
      .describe('A seamless loop: the first frame (`image`) is also sent as the last, so the video ends where it starts. Needs `image` and no `end_image`. Default false.')
      .optional(),
    elements: z
      .array(z.string({ error: (issue) => `an element reference must be a name; got ${describeValue(issue.input)}` }), {
        error: (issue) => `elements must be a list of element names; got ${describeValue(issue.input)}`,
      })
      .describe('Names of elements defined in this file, in order: the prompt calls them <<<element_1>>>, <<<element_2>>>…')
      .optional(),
    ...common,
  })
  .describe('One video to make: one task, one <name>.mp4.');

export const StoryboardElement = z
  .strictObject({
    name: z
      .string({ error: (issue) => `element name must be text; got ${describeValue(issue.input)}` })
      .min(1, { error: 'element name must not be empty' })
      .max(ELEMENT_NAME_MAX, { error: (issue) => `element name is ${String(issue.input).length} characters long; the limit is ${ELEMENT_NAME_MAX}` })
      .describe('Name used in a video\'s "elements" list. At most 20 characters.'),
    description: text('element description', ELEMENT_DESCRIPTION_MAX).describe('What the element is. At most 100 characters.'),
    frontal_image: imagePath('frontal_image').describe('A front view of the element: JPEG or PNG path relative to this file, or an https URL.'),
    refer_images: z
      .array(imagePath('refer_images entry'), {
        error: (issue) => `refer_images must be a list of image paths; got ${describeValue(issue.input)}`,
      })
      .min(1, { error: `refer_images needs 1 to ${REFER_IMAGES_MAX} images` })
      .max(REFER_IMAGES_MAX, { error: `refer_images needs 1 to ${REFER_IMAGES_MAX} images` })
      .describe('1 to 3 more views of the element.'),
  })
  .describe('A reusable character or object, created once (1 credit) and reused by name.');

export const Storyboard = z
  .strictObject({
    $schema: z.string().optional().describe('Optional: the editor finds the schema by the .kling.json file name.'),
    version: z.literal(1, { error: (issue) => `version must be 1; got ${describeValue(issue.input)}` }).describe('Format version: 1.'),
    output: z
      .string({ error: (issue) => `output must be a folder path relative to this file; got ${describeValue(issue.input)}` })
      .min(1, { error: 'output must not be empty; leave it out to use the default folder' })
      .optional()
      .describe('Folder for the results, relative to this file. Default: a folder named after this file (without .kling.json).'),
    metadata: z
      .string({ error: (issue) => `metadata must be a folder path relative to this file; got ${describeValue(issue.input)}` })
      .min(1, { error: 'metadata must not be empty; leave it out to keep the records beside the videos' })
      .optional()
      .describe(
        'Folder for the records of the videos, relative to this file (for example ".kling"): sidecars, claims, takes, frame and element records. The output folder then holds only the videos, posters and frames. Default: beside the videos, in the output folder.',
      ),
    defaults: StoryboardDefaults.optional(),
    videos: z
      .array(StoryboardVideo, { error: (issue) => `videos must be a list of videos; got ${describeValue(issue.input)}` })
      .min(1, { error: 'videos needs at least one video' })
      .describe('The videos to make.'),
    elements: z
      .array(StoryboardElement, { error: (issue) => `elements must be a list of elements; got ${describeValue(issue.input)}` })
      .optional()
      .describe('Reusable characters or objects, referred to by name from videos.'),
  })
  .describe('A Kling Studio storyboard: the videos to make with Kling 3.0.');

export type StoryboardDefaults = z.infer<typeof StoryboardDefaults>;
export type Shot = z.infer<typeof Shot>;
export type StoryboardVideo = z.infer<typeof StoryboardVideo>;
export type StoryboardElement = z.infer<typeof StoryboardElement>;
export type Storyboard = z.infer<typeof Storyboard>;

export { STORYBOARD_SUFFIX } from './storyboardSuffix';
