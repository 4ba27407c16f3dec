import { z } from 'zod';
import { DURATION_DEFAULT, DURATION_MAX, DURATION_MIN, SHOTS_MAX, VideoRequest } from '../api/apiSchemas';
import { describeValue } from '../text/describeValue';
import { priceVideo, type Price } from '../pricing/pricing';
import { buildVideoRequest, specFromStoryboardVideo, type VideoSpec } from '../request/buildRequest';
import { StoryboardVideo } from '../storyboard/storyboardSchema';
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
 * The form as the user left it. Numbers stay text, so a half-typed "1" or a mistaken "abc" is kept and reported,
 * never lost; the shot list is kept while multi-shot is off, so switching back does not throw work away. The
 * enums are the storyboard's own. (Image fields arrive with image-to-video: they go here and in COMPOSER_FIELDS.)
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
  /** Variants: how many takes Generate makes of the video, each paid for (1 when left out). A stepper: always valid. */
  takes: z.int().min(1).max(MAX_TAKES).optional(),
});
export type ComposerDraft = z.infer<typeof ComposerDraft>;
export type DraftShot = z.infer<typeof DraftShot>;

/** The storyboard fields the composer edits: a composed video is a storyboard video without a name. */
export const ComposerVideo = StoryboardVideo.pick({
  prompt: true,
  negative_prompt: true,
  duration: true,
  shots: true,
  aspect_ratio: true,
  quality: true,
  sound: true,
  watermark: true,
  takes: true,
});
export type ComposerVideo = z.infer<typeof ComposerVideo>;

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
  };
}

/** Where a message is shown: beside a field, under the shot list, or (for anything else) above Generate. */
export type FieldKey = 'prompt' | 'negative_prompt' | 'duration' | 'shots' | `shot.${number}.prompt` | `shot.${number}.duration` | 'form';

export interface DraftCheck {
  /** One message per field, the first found. */
  problems: Partial<Record<FieldKey, string>>;
  /** How many fields have a problem. */
  problemCount: number;
  /** The video and its exact create body, when the form is valid. */
  video?: ComposerVideo;
  request?: VideoRequest;
  /** The price, as soon as the duration is valid (the rest of the form may still need work). */
  price?: Price;
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

/** The storyboard video the form describes (not yet checked). */
export function draftToVideo(draft: ComposerDraft): Record<string, unknown> {
  const video: Record<string, unknown> = {};
  if (draft.prompt.trim() !== '') video['prompt'] = draft.prompt;
  if (draft.negative_prompt.trim() !== '') video['negative_prompt'] = draft.negative_prompt;
  video['duration'] = seconds(draft.duration);
  if (draft.multi_shot === 'auto') video['shots'] = 'auto';
  if (draft.multi_shot === 'custom') video['shots'] = draft.shots.map((shot) => ({ prompt: shot.prompt, duration: seconds(shot.duration) }));
  video['aspect_ratio'] = draft.aspect_ratio;
  video['quality'] = draft.quality;
  video['sound'] = draft.sound;
  if (draft.watermark) video['watermark'] = true;
  if (draft.takes !== undefined && draft.takes > 1) video['takes'] = draft.takes;
  return video;
}

/** Checks the form with the core's schemas, and prices it. */
export function checkDraft(draft: ComposerDraft): DraftCheck {
  const problems: Partial<Record<FieldKey, string>> = {};
  const add = (key: FieldKey, message: string) => {
    problems[key] ??= message;
  };
  const video = draftToVideo(draft);
  const check: DraftCheck = { problems, problemCount: 0, takes: draft.takes ?? 1 };

  if (draft.multi_shot === 'custom') {
    const durations = draft.shots.map((shot) => seconds(shot.duration));
    const whole = durations.filter((d): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 1);
    check.shotTotal = { seconds: whole.reduce((sum, d) => sum + d, 0), complete: whole.length === durations.length && durations.length > 0 };
  }

  const parsed = ComposerVideo.safeParse(video);
  if (!parsed.success) {
    for (const issue of flatIssues(parsed.error.issues)) add(fieldOf(issue.path), issue.message);
  }
  if (problems.duration === undefined) {
    check.price = priceVideo({ duration: video['duration'] as number, quality: draft.quality, sound: draft.sound });
  }

  if (parsed.success && Object.keys(problems).length === 0) {
    const spec = composerSpec(parsed.data);
    const request = buildVideoRequest(spec);
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

/** The problems in the order the form shows its fields, so "the first problem" is the first one on screen. */
function inFormOrder(problems: Partial<Record<FieldKey, string>>): Partial<Record<FieldKey, string>> {
  const rank = (key: string) => {
    const shot = /^shot\.(\d+)\.(prompt|duration)$/.exec(key);
    if (shot) return 3 + Number(shot[1]) / 10 + (shot[2] === 'duration' ? 0.05 : 0);
    return { prompt: 0, negative_prompt: 1, duration: 2, shots: 4, form: 5 }[key] ?? 6;
  };
  return Object.fromEntries(Object.entries(problems).sort(([a], [b]) => rank(a) - rank(b)));
}

/** A checked composer video with every setting decided, as storyboards and Generate from Prompt make them. */
export function composerSpec(video: ComposerVideo): VideoSpec {
  const spec = specFromStoryboardVideo({ name: 'composer', ...video });
  return { ...spec, prompt: spec.prompt.trim() };
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
  if (first === 'prompt' || first === 'negative_prompt' || first === 'duration' || first === 'shots') return first;
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

/** The form for a video with every setting decided (a storyboard video with its file's defaults applied). */
export function draftFromSpec(spec: VideoSpec): ComposerDraft {
  const shots = spec.shots;
  return {
    prompt: spec.prompt,
    negative_prompt: spec.negative_prompt ?? '',
    duration: String(spec.duration),
    aspect_ratio: spec.aspect_ratio,
    quality: spec.quality,
    sound: spec.sound,
    watermark: spec.watermark === true,
    multi_shot: shots === 'auto' ? 'auto' : Array.isArray(shots) ? 'custom' : 'off',
    shots: Array.isArray(shots) ? shots.map((shot) => ({ prompt: shot.prompt, duration: String(shot.duration) })) : [],
  };
}

export type RequestDraft = { ok: true; draft: ComposerDraft; notes: string[] } | { ok: false; problem: string };

/**
 * The form for a create request that was sent (a video's sidecar keeps it exactly): "Edit in Composer" from the
 * preview of a video made from a prompt. Notes say what the form cannot hold yet.
 */
export function draftFromRequest(request: unknown): RequestDraft {
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
  if (r.image_start || r.image_end) notes.push('Its first and last frame images were left out: the composer does not edit images yet.');
  if (params.element_list?.length) notes.push('Its elements were left out: the composer does not edit elements yet.');
  if (r.callback_url) notes.push('Its callback_url was left out: the composer does not set one.');
  const draft = draftFromSpec({
    prompt: r.prompt,
    negative_prompt: r.negative_prompt,
    duration: r.duration ?? DURATION_DEFAULT,
    aspect_ratio: r.aspect_ratio ?? '16:9',
    quality: r.quality ?? '720p',
    sound: r.sound ?? 'off',
    shots,
    watermark: params.watermark_info?.enabled,
  });
  return { ok: true, draft, notes };
}
