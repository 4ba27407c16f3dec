import { z } from 'zod';
import { DURATION_DEFAULT, DURATION_MAX, DURATION_MIN, SHOTS_MAX, VideoRequest } from '../api/apiSchemas';
import { callbackUrlProblem } from '../net/publicHttpsUrl';
import { describeValue } from '../text/describeValue';
import { priceVideo, totalPrice, type Price, type PriceTotal } from '../pricing/pricing';
import { buildVideoRequest, specFromStoryboardVideo, type VideoSpec } from '../request/buildRequest';
import { ELEMENT_DESCRIPTION_MAX, ELEMENT_NAME_MAX, REFER_IMAGES_MAX, StoryboardVideo, VIDEO_NAME_PATTERN } from '../storyboard/storyboardSchema';
import { MAX_TAKES } from '../takes/takeLimits';

// The composer's form, without the DOM: what it holds, how it is checked and priced, and the edits its buttons make.
// The page (src/webview/composer) and the host (src/extension/composer) both use it, so the page's "valid" and the
// host's are the same verdict. The verdict comes from the core's schemas: StoryboardVideo for each field (its
// messages) and VideoRequest for the rules across fields (a prompt unless the shots are the user's own; shot
// durations that add up to the video's).

export const MULTI_SHOT_MODES = ['off', 'auto', 'custom'] as const;
export type MultiShotMode = (typeof MULTI_SHOT_MODES)[number];

/** Far above every limit: enough to hold (and report) any over-long text, small enough to refuse a flood. */
export const DRAFT_TEXT_CAP = 20_000;
const NUMBER_TEXT_CAP = 12;

const draftText = z.string().max(DRAFT_TEXT_CAP);
const numberText = z.string().max(NUMBER_TEXT_CAP);

export const DraftShot = z.strictObject({ prompt: draftText, duration: numberText });

/**
 * An image of the form: a file of the workspace, as a path relative to its folder with `/` between folders
 * (`assets/logo.png`), or an https URL the service fetches itself. Never an absolute path: the page only ever holds
 * what the host chose and checked (a file picked, dropped or copied in), and the host checks it again before use.
 */
export const ImageRef = z
  .string()
  .min(1)
  .max(4096)
  .refine((ref) => /^https:\/\//i.test(ref) || (!/^[a-z][a-z0-9+.-]*:/i.test(ref) && !ref.startsWith('/') && !ref.split('/').includes('..')), {
    error: 'an image is a path inside the workspace or an https:// URL',
  });

/** How many elements one video may name: far above any sensible prompt, small enough to refuse a flood. */
export const ELEMENTS_MAX = 10;

/**
 * An element of the form, in the prompt's order (<<<element_1>>> is the first):
 * - `storyboard`: one defined in a storyboard of the workspace (`file`, relative to the workspace folder);
 * - `new`: one defined here, created (1 credit) when the video is generated, and remembered for reuse;
 * - `existing`: one already made that the form knows only by its id (a video made from the composer, loaded back).
 */
export const DraftElement = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('storyboard'), name: z.string().min(1).max(200), file: z.string().min(1).max(4096) }),
  z.strictObject({
    kind: z.literal('new'),
    name: draftText,
    description: draftText,
    frontal_image: z.string().max(4096),
    refer_images: z.array(z.string().max(4096)).max(REFER_IMAGES_MAX),
  }),
  z.strictObject({ kind: z.literal('existing'), name: z.string().max(200), element_id: z.string().min(1).max(200), description: z.string().max(500).optional() }),
]);
export type DraftElement = z.infer<typeof DraftElement>;

/**
 * The form as the user left it. Numbers stay text, so a half-typed "1" or a mistaken "abc" is kept and reported,
 * never lost; the shot list is kept while multi-shot is off, so switching back does not throw work away. The
 * enums are the storyboard's own. Everything a storyboard video can say has a place here, so that a video loaded
 * from a storyboard and saved back is the same video (composerStoryboard.ts).
 */
export const ComposerDraft = z.strictObject({
  prompt: draftText,
  negative_prompt: draftText,
  duration: numberText,
  aspect_ratio: StoryboardVideo.shape.aspect_ratio.unwrap(),
  quality: StoryboardVideo.shape.quality.unwrap(),
  sound: StoryboardVideo.shape.sound.unwrap(),
  watermark: z.boolean(),
  multi_shot: z.enum(MULTI_SHOT_MODES),
  shots: z.array(DraftShot).max(SHOTS_MAX),
  /** First and last frame (image-to-video). */
  image: ImageRef.optional(),
  end_image: ImageRef.optional(),
  elements: z.array(DraftElement).max(ELEMENTS_MAX).default([]),
  /** Where the service posts the result (the user's own server); empty for none. */
  callback_url: z.string().max(DRAFT_TEXT_CAP).default(''),
  /** Variants: how many takes Generate makes of the video, each paid for (1 when left out). A stepper: always valid. */
  takes: z.int().min(1).max(MAX_TAKES).optional(),
  /** The saved file's name without `.mp4` (a storyboard video's name rules); empty or left out: from the prompt. */
  file_name: z.string().max(NUMBER_TEXT_CAP).optional(),
  /** Web-ready: once saved, the MP4 is made fast start (`moov` first) and its poster `<name>.jpg` written beside it. */
  web: z.boolean().optional(),
});
export type ComposerDraft = z.infer<typeof ComposerDraft>;
export type DraftShot = z.infer<typeof DraftShot>;

/** The storyboard fields the composer edits: a composed video is a storyboard video without a name. */
// Its frames are files or links: a frame of another video (a storyboard's frame reference) has no place in the form.
export const ComposerVideo = StoryboardVideo.omit({ name: true }).extend({
  image: z.string().min(1).optional(),
  end_image: z.string().min(1).optional(),
});
export type ComposerVideo = z.infer<typeof ComposerVideo>;

/** What the host found about an image of the form (its rules, its size), by ref. */
export type ImageVerdict =
  | { ok: true; type: 'jpeg' | 'png'; width: number; height: number; bytes: number }
  | { ok: false; problem: string };

/** What the form needs from the host to be checked: each local image's verdict, and which elements are new. */
export interface DraftContext {
  /** By ref. A local image without a verdict is still being checked: the form waits. */
  images?: Readonly<Record<string, ImageVerdict>> | undefined;
  /** For each element of the draft, in order: true when it must be created (1 credit), false when it exists. */
  newElements?: readonly boolean[] | undefined;
  /** For each element, what the host found wrong with it (its storyboard no longer defines it), if anything. */
  elementProblems?: ReadonlyArray<string | undefined> | undefined;
}

export function emptyDraft(): ComposerDraft {
  return {
    prompt: '',
    negative_prompt: '',
    duration: String(DURATION_DEFAULT),
    aspect_ratio: '16:9',
    quality: '720p',
    sound: 'off',
    watermark: false,
    multi_shot: 'off',
    shots: [],
    elements: [],
    callback_url: '',
  };
}

/** Where a message is shown: beside a field, under the shot list, or (for anything else) above Generate. */
export type FieldKey =
  | 'prompt'
  | 'negative_prompt'
  | 'duration'
  | 'shots'
  | `shot.${number}.prompt`
  | `shot.${number}.duration`
  | 'image'
  | 'end_image'
  | 'elements'
  | `element.${number}`
  | 'callback_url'
  | 'file_name'
  | 'form';

export interface DraftCheck {
  /** One message per field, the first found. */
  problems: Partial<Record<FieldKey, string>>;
  /** How many fields have a problem. */
  problemCount: number;
  /**
   * The video and its create body, when the form is valid. Local images and elements are stand-ins in the body
   * (`https://local.invalid/…`, `element:N`): the host puts in the uploaded links and element ids when it generates.
   */
  video?: ComposerVideo;
  request?: VideoRequest;
  /** The price of the video, as soon as the duration is valid (the rest of the form may still need work). */
  price?: Price;
  /** The video and the elements to create with it (1 credit each): what Generate costs. */
  total?: PriceTotal & { newElements: number };
  /** Whether the video starts from an image (image-to-video). */
  imageToVideo: boolean;
  /** With "my shots": the sum of the shot durations that are whole numbers, and whether all of them are. */
  shotTotal?: { seconds: number; complete: boolean };
  /** How many takes Generate makes (Variants); `price` is one take's. */
  takes: number;
}

/** Whole seconds as a number; anything else stays as typed so the schema's message can quote it. */
function seconds(text: string): number | string {
  const trimmed = text.trim();
  return /^[-+]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * The storyboard video the form describes (not yet checked). Texts are kept as typed (an empty one is left out), so
 * a video loaded from a storyboard says the same when it is saved back. Images are workspace refs; elements are
 * their names (in the order the prompt counts them).
 */
export function draftToVideo(draft: ComposerDraft): Record<string, unknown> {
  const video: Record<string, unknown> = {};
  if (draft.prompt !== '') video['prompt'] = draft.prompt;
  if (draft.negative_prompt !== '') video['negative_prompt'] = draft.negative_prompt;
  video['duration'] = seconds(draft.duration);
  if (draft.multi_shot === 'auto') video['shots'] = 'auto';
  if (draft.multi_shot === 'custom') video['shots'] = draft.shots.map((shot) => ({ prompt: shot.prompt, duration: seconds(shot.duration) }));
  if (draft.image !== undefined) video['image'] = draft.image;
  if (draft.end_image !== undefined) video['end_image'] = draft.end_image;
  if (draft.elements.length > 0) video['elements'] = draft.elements.map((element) => element.name);
  video['aspect_ratio'] = draft.aspect_ratio;
  video['quality'] = draft.quality;
  video['sound'] = draft.sound;
  video['watermark'] = draft.watermark;
  if (draft.callback_url.trim() !== '') video['callback_url'] = draft.callback_url.trim();
  if (draft.takes !== undefined && draft.takes > 1) video['takes'] = draft.takes;
  if (draft.web === true) video['web'] = true;
  return video;
}

/** Whether a ref is a link the service fetches itself (not a file of the workspace). */
export function isImageUrl(ref: string): boolean {
  return /^https:\/\//i.test(ref);
}

/** Every local image of the form (frames and the images of elements defined here), each once. */
export function draftLocalImages(draft: ComposerDraft): string[] {
  const refs = [draft.image, draft.end_image];
  for (const element of draft.elements) if (element.kind === 'new') refs.push(element.frontal_image, ...element.refer_images);
  return [...new Set(refs.filter((ref): ref is string => ref !== undefined && ref !== '' && !isImageUrl(ref)))];
}

/** Checks the form with the core's schemas, and prices it; `context` brings what only the host can know. */
export function checkDraft(draft: ComposerDraft, context: DraftContext = {}): DraftCheck {
  const problems: Partial<Record<FieldKey, string>> = {};
  const add = (key: FieldKey, message: string) => {
    problems[key] ??= message;
  };
  const video = draftToVideo(draft);
  const check: DraftCheck = { problems, problemCount: 0, imageToVideo: draft.image !== undefined, takes: draft.takes ?? 1 };

  if (draft.multi_shot === 'custom') {
    const durations = draft.shots.map((shot) => seconds(shot.duration));
    const whole = durations.filter((d): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 1);
    check.shotTotal = { seconds: whole.reduce((sum, d) => sum + d, 0), complete: whole.length === durations.length && durations.length > 0 };
  }

  const parsed = ComposerVideo.safeParse(video);
  if (!parsed.success) {
    for (const issue of flatIssues(parsed.error.issues)) add(fieldOf(issue.path), issue.message);
  }
  imageProblems(draft, context, add);
  elementProblems(draft, add);
  context.elementProblems?.forEach((problem, i) => {
    if (problem && i < draft.elements.length) add(`element.${i}`, problem);
  });
  if (draft.callback_url.trim() !== '') {
    const problem = callbackUrlProblem(draft.callback_url.trim());
    if (problem) add('callback_url', problem);
  }
  const fileName = draft.file_name?.trim() ?? '';
  if (fileName !== '') {
    const problem = fileNameProblem(fileName);
    if (problem) add('file_name', problem);
  }
  if (problems.duration === undefined) {
    check.price = priceVideo({ duration: video['duration'] as number, quality: draft.quality, sound: draft.sound });
    const newElements = draft.elements.filter((element, i) => context.newElements?.[i] ?? element.kind === 'new').length;
    // Every take of Variants is paid for; the elements once.
    check.total = { ...totalPrice(Array.from({ length: check.takes }, () => check.price!), newElements), newElements };
  }

  if (parsed.success && Object.keys(problems).length === 0) {
    const spec = composerSpec(parsed.data);
    const request = buildVideoRequest(spec, STAND_INS);
    const verdict = VideoRequest.safeParse(request);
    if (verdict.success) {
      check.video = parsed.data;
      check.request = verdict.data;
    } else {
      for (const issue of verdict.error.issues) ruleProblem(issue.path, issue.message, draft, check, add);
    }
  }
  check.problems = inFormOrder(problems);
  check.problemCount = Object.keys(problems).length;
  return check;
}

/**
 * Why a file name typed in the composer cannot be used, or undefined: the storyboard's own rule for a video's name
 * (StoryboardVideo.name), since a composed video saved as a storyboard keeps it, and the file is `<name>.mp4`.
 */
export function fileNameProblem(name: string): string | undefined {
  const stem = name.replace(/\.mp4$/i, '');
  if (VIDEO_NAME_PATTERN.test(stem) && stem.length <= FILE_NAME_MAX) return undefined;
  if (stem.length > FILE_NAME_MAX) return `The file name is ${stem.length} characters long; keep it to ${FILE_NAME_MAX}.`;
  const bad = [...new Set(stem.replace(/[a-z0-9_-]/g, ''))].map((c) => (c === ' ' ? 'spaces' : `"${c}"`));
  if (bad.length > 0) return `Use only lowercase letters, digits, "-" and "_" in the file name (not ${bad.slice(0, 3).join(', ')}).`;
  return 'Start the file name with a lowercase letter or a digit.';
}

/** The longest file name the composer takes: long enough for any sensible name, short enough for every file system. */
export const FILE_NAME_MAX = 80;

/** The file name the draft asks for (typed, without `.mp4`), or undefined for one made from the prompt. */
export function chosenFileName(draft: ComposerDraft): string | undefined {
  const name = draft.file_name?.trim().replace(/\.mp4$/i, '') ?? '';
  return name === '' || fileNameProblem(name) ? undefined : name;
}

/** What the form's request says in place of uploads and element ids until the host has them. */
const STAND_INS = {
  image: (ref: string) => `https://local.invalid/${encodeURIComponent(ref)}`,
  element: (name: string) => `element:${name}`,
};

function imageProblems(draft: ComposerDraft, context: DraftContext, add: (key: FieldKey, message: string) => void): void {
  const verdict = (ref: string, label: string): string | undefined => {
    if (isImageUrl(ref)) return undefined;
    const found = context.images?.[ref];
    if (!found) return `Checking the ${label}…`;
    return found.ok ? undefined : found.problem;
  };
  if (draft.image !== undefined) {
    const problem = verdict(draft.image, 'first frame');
    if (problem) add('image', problem);
  }
  if (draft.end_image !== undefined) {
    if (draft.image === undefined) add('end_image', 'A last frame needs a first frame: set the first frame too, or remove the last one.');
    const problem = verdict(draft.end_image, 'last frame');
    if (problem) add('end_image', problem);
  }
  draft.elements.forEach((element, i) => {
    if (element.kind !== 'new') return;
    for (const ref of [element.frontal_image, ...element.refer_images]) {
      if (ref === '') continue;
      const problem = verdict(ref, `image of element ${i + 1}`);
      if (problem) return add(`element.${i}`, problem);
    }
  });
}

function elementProblems(draft: ComposerDraft, add: (key: FieldKey, message: string) => void): void {
  const names = new Set<string>();
  draft.elements.forEach((element, i) => {
    const key: FieldKey = `element.${i}`;
    if (names.has(element.name)) add(key, `Two elements are named "${element.name}": give each its own name.`);
    names.add(element.name);
    if (element.kind !== 'new') return;
    if (element.name.trim() === '') add(key, 'Name the element (it is how the service lists it).');
    else if (element.name.length > ELEMENT_NAME_MAX) add(key, `element name is ${element.name.length} characters long; the limit is ${ELEMENT_NAME_MAX}`);
    if (element.description.length > ELEMENT_DESCRIPTION_MAX) add(key, `element description is ${element.description.length} characters long; the limit is ${ELEMENT_DESCRIPTION_MAX}`);
    if (element.frontal_image === '') add(key, 'Choose a front view of the element (its frontal image).');
    if (element.refer_images.length === 0) add(key, `Add 1 to ${REFER_IMAGES_MAX} more views of the element (reference images).`);
  });
}

/** The problems in the order the form shows its fields, so "the first problem" is the first one on screen. */
function inFormOrder(problems: Partial<Record<FieldKey, string>>): Partial<Record<FieldKey, string>> {
  const rank = (key: string) => {
    const shot = /^shot\.(\d+)\.(prompt|duration)$/.exec(key);
    if (shot) return 3 + Number(shot[1]) / 10 + (shot[2] === 'duration' ? 0.05 : 0);
    const element = /^element\.(\d+)$/.exec(key);
    if (element) return 4.4 + Number(element[1]) / 100;
    return { prompt: 0, negative_prompt: 1, duration: 2, shots: 4, image: 4.1, end_image: 4.2, elements: 4.3, callback_url: 4.5, file_name: 4.6, form: 5 }[key] ?? 6;
  };
  return Object.fromEntries(Object.entries(problems).sort(([a], [b]) => rank(a) - rank(b)));
}

/** A checked composer video with every setting decided, as storyboards and Generate from Prompt make them. */
export function composerSpec(video: ComposerVideo): VideoSpec {
  const spec = specFromStoryboardVideo({ name: 'composer', ...video });
  return { ...spec, prompt: spec.prompt.trim(), negative_prompt: spec.negative_prompt?.trim() || undefined };
}

/** The rules across fields, phrased for the form (VideoRequest decides; its wording speaks of API fields). */
function ruleProblem(
  path: PropertyKey[],
  message: string,
  draft: ComposerDraft,
  check: DraftCheck,
  add: (key: FieldKey, message: string) => void,
): void {
  const [first, second] = path;
  if (first === 'prompt') {
    add('prompt', draft.multi_shot === 'auto' ? 'Describe the video: the model plans its shots from this prompt.' : 'Describe the video to generate.');
  } else if (first === 'model_params' && second === 'element_list') {
    const named = /<<<element_(\d+)>>>/.exec(message)?.[1];
    const count = draft.elements.length;
    add('elements', `The prompt names <<<element_${named ?? '?'}>>>, but the video has ${count === 0 ? 'no elements' : count === 1 ? 'one element' : `${count} elements`}: add one below, or change the prompt.`);
  } else if (first === 'image_start' || first === 'image_end') {
    add(first === 'image_start' ? 'image' : 'end_image', message);
  } else if (first === 'model_params' && second === 'multi_prompt' && path.length === 2 && check.shotTotal) {
    const total = check.shotTotal.seconds;
    const duration = draft.duration.trim();
    add(
      'shots',
      total >= DURATION_MIN && total <= DURATION_MAX
        ? `The shots add up to ${total} s but the video is ${duration} s: set the duration to ${total} s, or change the shots.`
        : `The shots add up to ${total} s; a video is ${DURATION_MIN} to ${DURATION_MAX} s: change the shots.`,
    );
  } else {
    add('form', message);
  }
}

/** zod's issues with each union's matching branch opened up, so a shot's own problem lands on that shot. */
function flatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const matched = issue.errors.find((branch) =>
        branch.some((inner) => inner.path.length > 0 || (inner.code !== 'invalid_type' && inner.code !== 'invalid_value')),
      );
      if (matched) return flatIssues(matched, path);
    }
    return [{ path, message: issue.message }];
  });
}

function fieldOf(path: PropertyKey[]): FieldKey {
  const [first, index, leaf] = path;
  if (first === 'shots' && typeof index === 'number' && (leaf === 'prompt' || leaf === 'duration')) return `shot.${index}.${leaf}`;
  if (first === 'prompt' || first === 'negative_prompt' || first === 'duration' || first === 'shots' || first === 'image' || first === 'end_image' || first === 'callback_url') return first;
  if (first === 'elements') return 'elements';
  return 'form';
}

// ---- What the form's buttons do: pure edits, so the page stays a thin view and the tests need no DOM. ----

export function setMultiShot(draft: ComposerDraft, mode: MultiShotMode): ComposerDraft {
  if (mode === 'custom' && draft.shots.length === 0) {
    // One shot as long as the video: the total matches from the start, and the user splits it from there.
    return { ...draft, multi_shot: mode, shots: [{ prompt: '', duration: wholeOr(draft.duration, DURATION_DEFAULT) }] };
  }
  return { ...draft, multi_shot: mode };
}

/** A new shot takes the seconds the others leave free (at least 1). */
export function addShot(draft: ComposerDraft): ComposerDraft {
  if (draft.shots.length >= SHOTS_MAX) return draft;
  const duration = Number(wholeOr(draft.duration, DURATION_DEFAULT));
  const used = draft.shots.reduce((sum, shot) => sum + Number(wholeOr(shot.duration, 0)), 0);
  return { ...draft, shots: [...draft.shots, { prompt: '', duration: String(Math.max(1, duration - used)) }] };
}

export function removeShot(draft: ComposerDraft, index: number): ComposerDraft {
  if (index < 0 || index >= draft.shots.length) return draft;
  return { ...draft, shots: draft.shots.filter((_, i) => i !== index) };
}

/** Moves a shot one place up (-1) or down (+1). */
export function moveShot(draft: ComposerDraft, index: number, by: -1 | 1): ComposerDraft {
  const target = index + by;
  if (index < 0 || index >= draft.shots.length || target < 0 || target >= draft.shots.length) return draft;
  const shots = [...draft.shots];
  [shots[index], shots[target]] = [shots[target]!, shots[index]!];
  return { ...draft, shots };
}

export function updateShot(draft: ComposerDraft, index: number, change: Partial<DraftShot>): ComposerDraft {
  if (index < 0 || index >= draft.shots.length) return draft;
  return { ...draft, shots: draft.shots.map((shot, i) => (i === index ? { ...shot, ...change } : shot)) };
}

/** The duration the "set the duration to the shots' total" button would set, when there is one to set. */
export function durationFromShots(draft: ComposerDraft): number | undefined {
  const total = checkDraft(draft).shotTotal;
  if (draft.multi_shot !== 'custom' || !total?.complete) return undefined;
  if (total.seconds < DURATION_MIN || total.seconds > DURATION_MAX || String(total.seconds) === draft.duration.trim()) return undefined;
  return total.seconds;
}

export function setDurationToShots(draft: ComposerDraft): ComposerDraft {
  const total = durationFromShots(draft);
  return total === undefined ? draft : { ...draft, duration: String(total) };
}

function wholeOr(text: string, fallback: number): string {
  const value = seconds(text);
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? String(value) : String(fallback);
}

/**
 * The form for a video with every setting decided (a storyboard video with its file's defaults applied). Its images
 * and elements are the caller's to give: only it knows where the storyboard is (image paths are relative to it) and
 * where its elements are defined.
 */
export function draftFromSpec(spec: VideoSpec, extra: { image?: string | undefined; end_image?: string | undefined; elements?: DraftElement[] } = {}): ComposerDraft {
  const shots = spec.shots;
  const draft: ComposerDraft = {
    prompt: spec.prompt,
    negative_prompt: spec.negative_prompt ?? '',
    duration: String(spec.duration),
    aspect_ratio: spec.aspect_ratio,
    quality: spec.quality,
    sound: spec.sound,
    watermark: spec.watermark === true,
    multi_shot: shots === 'auto' ? 'auto' : Array.isArray(shots) ? 'custom' : 'off',
    shots: Array.isArray(shots) ? shots.map((shot) => ({ prompt: shot.prompt, duration: String(shot.duration) })) : [],
    elements: extra.elements ?? [],
    callback_url: spec.callback_url ?? '',
  };
  if (extra.image !== undefined) draft.image = extra.image;
  if (extra.end_image !== undefined) draft.end_image = extra.end_image;
  return draft;
}

// ---- Images and elements: pure edits too. ----

export type ImageSlot = 'image' | 'end_image';

export function setImage(draft: ComposerDraft, slot: ImageSlot, ref: string | undefined): ComposerDraft {
  const next = { ...draft };
  if (ref === undefined) delete next[slot];
  else next[slot] = ref;
  return next;
}

export function addElement(draft: ComposerDraft, element: DraftElement): ComposerDraft {
  if (draft.elements.length >= ELEMENTS_MAX) return draft;
  return { ...draft, elements: [...draft.elements, element] };
}

export function removeElement(draft: ComposerDraft, index: number): ComposerDraft {
  if (index < 0 || index >= draft.elements.length) return draft;
  return { ...draft, elements: draft.elements.filter((_, i) => i !== index) };
}

/** Moves an element one place up or down: the prompt's <<<element_N>>> follow the list's order, not the element. */
export function moveElement(draft: ComposerDraft, index: number, by: -1 | 1): ComposerDraft {
  const target = index + by;
  if (index < 0 || index >= draft.elements.length || target < 0 || target >= draft.elements.length) return draft;
  const elements = [...draft.elements];
  [elements[index], elements[target]] = [elements[target]!, elements[index]!];
  return { ...draft, elements };
}

export function updateElement(draft: ComposerDraft, index: number, change: Partial<Extract<DraftElement, { kind: 'new' }>>): ComposerDraft {
  const element = draft.elements[index];
  if (!element || element.kind !== 'new') return draft;
  return { ...draft, elements: draft.elements.map((e, i) => (i === index ? { ...element, ...change, kind: 'new' as const } : e)) };
}

/** An element defined here, to be filled in. */
export function newElement(): Extract<DraftElement, { kind: 'new' }> {
  return { kind: 'new', name: '', description: '', frontal_image: '', refer_images: [] };
}

/** `<<<element_2>>>`: how the prompt names the element at `index` (0-based) of the list. */
export function elementToken(index: number): string {
  return `<<<element_${index + 1}>>>`;
}

/**
 * The prompt with `token` put in at the caret (`start`…`end` replaced), with a space on each side where the words
 * would otherwise run into it; and where the caret goes after it.
 */
export function insertToken(text: string, start: number, end: number, token: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = before !== '' && !/\s$/.test(before) ? ' ' : '';
  const trail = after !== '' && !/^\s/.test(after) ? ' ' : '';
  const inserted = `${lead}${token}${trail}`;
  return { text: `${before}${inserted}${after}`, caret: before.length + lead.length + token.length };
}

export type RequestDraft = { ok: true; draft: ComposerDraft; notes: string[] } | { ok: false; problem: string };

/** What a sidecar adds to its request: where its frames came from, and its elements' names. */
export interface RequestSources {
  uploads?: ReadonlyArray<{ field: string; source: string; url: string }> | undefined;
  elements?: ReadonlyArray<{ name: string; element_id: string; description?: string | undefined }> | undefined;
}

/**
 * The form for a create request that was sent (a video's sidecar keeps it exactly): "Edit in Composer" from the
 * preview of a video made from a prompt. A frame uploaded from the workspace comes back as its file (the link
 * expires; the file is what the user chose); an element as the one already made (by id, with its name).
 */
export function draftFromRequest(request: unknown, sources: RequestSources = {}): RequestDraft {
  const parsed = VideoRequest.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `its request is not one the composer knows (${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : describeValue(request)})` };
  }
  const r = parsed.data;
  const params = r.model_params ?? {};
  const shots = params.multi_shot
    ? params.shot_type === 'intelligence'
      ? ('auto' as const)
      : (params.multi_prompt ?? []).map((shot) => ({ prompt: shot.prompt, duration: Number(shot.duration) }))
    : undefined;
  const notes: string[] = [];
  const frame = (field: 'image_start' | 'image_end'): string | undefined => {
    const url = r[field];
    if (url === undefined) return undefined;
    const source = sources.uploads?.find((u) => u.field === field && u.url === url)?.source;
    if (source !== undefined && ImageRef.safeParse(source).success) return source;
    if (isImageUrl(url)) return url;
    notes.push(`Its ${field === 'image_start' ? 'first' : 'last'} frame was a link the composer cannot use again (${url.slice(0, 80)}): choose the image again.`);
    return undefined;
  };
  const image = frame('image_start');
  const end_image = image === undefined ? undefined : frame('image_end');
  const elements: DraftElement[] = (params.element_list ?? []).map(({ element_id }, i) => {
    const known = sources.elements?.find((e) => e.element_id === element_id);
    return { kind: 'existing', name: known?.name ?? `element ${i + 1}`, element_id, ...(known?.description ? { description: known.description } : {}) };
  });
  const draft = draftFromSpec(
    {
      prompt: r.prompt,
      negative_prompt: r.negative_prompt,
      duration: r.duration ?? DURATION_DEFAULT,
      aspect_ratio: r.aspect_ratio ?? '16:9',
      quality: r.quality ?? '720p',
      sound: r.sound ?? 'off',
      shots,
      watermark: params.watermark_info?.enabled,
      callback_url: r.callback_url,
    },
    { image, end_image, elements },
  );
  return { ok: true, draft, notes };
}
