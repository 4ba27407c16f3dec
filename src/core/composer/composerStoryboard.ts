import { modify, type FormattingOptions } from 'jsonc-parser';
import { specFromStoryboardVideo } from '../request/buildRequest';
import { StoryboardDocument, type TextEdit } from '../storyboard/storyboardDocument';
import { StoryboardDefaults, StoryboardVideo, VIDEO_NAME_PATTERN } from '../storyboard/storyboardSchema';
import { draftFromSpec, type ComposerDraft, type ComposerVideo } from './composerForm';

// Between the composer and `.kling.json` files: "Save as storyboard…" writes the form as a video (into a new file, or
// into an existing one without disturbing its comments and layout), and "Edit in composer" reads a video back, with
// the file's defaults applied.

/**
 * The storyboard video that means exactly what the form means, in a file with these defaults: a setting is written
 * only where the defaults would say something else, so the file's defaults keep their say over the rest.
 */
export function storyboardVideoFor(name: string, video: ComposerVideo, defaults: StoryboardDefaults | 'unknown' = {}): StoryboardVideo {
  if (defaults === 'unknown') return explicitVideo(name, video);
  const result: StoryboardVideo = { name };
  if (video.prompt !== undefined) result.prompt = video.prompt.trim();
  // An empty negative prompt says "none", where leaving it out would take the file's.
  if (video.negative_prompt !== undefined) {
    if (video.negative_prompt !== defaults.negative_prompt) result.negative_prompt = video.negative_prompt;
  } else if (defaults.negative_prompt) {
    result.negative_prompt = '';
  }
  result.duration = video.duration;
  if (video.shots !== undefined) result.shots = video.shots;
  if (video.aspect_ratio !== undefined && video.aspect_ratio !== (defaults.aspect_ratio ?? '16:9')) result.aspect_ratio = video.aspect_ratio;
  if (video.quality !== undefined && video.quality !== (defaults.quality ?? '720p')) result.quality = video.quality;
  if (video.sound !== undefined && video.sound !== (defaults.sound ?? 'off')) result.sound = video.sound;
  if (video.watermark === true && defaults.watermark !== true) result.watermark = true;
  if (video.watermark !== true && defaults.watermark === true) result.watermark = false;
  if ((video.takes ?? 1) !== (defaults.takes ?? 1)) result.takes = video.takes ?? 1;
  return result;
}

/** Every setting written out: for a file whose defaults cannot be read, so none of them can change the video. */
function explicitVideo(name: string, video: ComposerVideo): StoryboardVideo {
  const result: StoryboardVideo = { name };
  if (video.prompt !== undefined) result.prompt = video.prompt.trim();
  result.negative_prompt = video.negative_prompt ?? '';
  result.duration = video.duration;
  if (video.shots !== undefined) result.shots = video.shots;
  result.aspect_ratio = video.aspect_ratio ?? '16:9';
  result.quality = video.quality ?? '720p';
  result.sound = video.sound ?? 'off';
  result.watermark = video.watermark === true;
  if ((video.takes ?? 1) > 1) result.takes = video.takes;
  return result;
}

/** The file's defaults, or 'unknown' when it has some that do not parse. */
export function storyboardDefaultsOf(text: string): StoryboardDefaults | 'unknown' {
  const raw = new StoryboardDocument(text).valueAt(['defaults']);
  if (raw === undefined) return {};
  const parsed = StoryboardDefaults.safeParse(raw);
  return parsed.success ? parsed.data : 'unknown';
}

/** A new storyboard holding one video. */
export function newStoryboardText(video: StoryboardVideo): string {
  return `${JSON.stringify({ version: 1, videos: [video] }, null, 2)}\n`;
}

export type StoryboardEdit = { ok: true; edits: TextEdit[]; index: number } | { ok: false; problem: string };

/** Edits that append `video` to the file's `videos` (or replace the video named `replacing`), keeping the rest as it is. */
export function storyboardVideoEdits(text: string, video: StoryboardVideo, replacing?: string): StoryboardEdit {
  const doc = new StoryboardDocument(text);
  const opened = openStoryboard(doc);
  if (!opened.ok) return opened;
  const { videos } = opened;
  const options = { formattingOptions: formattingOf(text) };
  if (replacing !== undefined) {
    const index = videos.findIndex((v) => nameOf(v) === replacing);
    if (index === -1) return { ok: false, problem: `the storyboard has no video named "${replacing}" any more` };
    const clash = videos.findIndex((v, i) => i !== index && nameOf(v) === video.name);
    if (clash !== -1) return { ok: false, problem: `another video is already named "${video.name}"` };
    return { ok: true, edits: toEdits(modify(text, ['videos', index], video, options)), index };
  }
  if (videos.some((v) => nameOf(v) === video.name)) return { ok: false, problem: `a video is already named "${video.name}"` };
  if (doc.node(['videos'])?.type !== 'array') {
    return { ok: true, edits: toEdits(modify(text, ['videos'], [video], options)), index: 0 };
  }
  return { ok: true, edits: toEdits(modify(text, ['videos', -1], video, { ...options, isArrayInsertion: true })), index: videos.length };
}

/** The names of the file's videos, in order (those that have one). */
export function storyboardVideoNames(text: string): string[] {
  const doc = new StoryboardDocument(text);
  const videos = doc.valueAt(['videos']);
  return Array.isArray(videos) ? videos.map(nameOf).filter((n): n is string => n !== undefined) : [];
}

/** The name of the video whose text holds `offset` (the cursor), if any. */
export function videoNameAt(text: string, offset: number): string | undefined {
  const doc = new StoryboardDocument(text);
  const list = doc.node(['videos']);
  const video = list?.type === 'array' ? list.children?.find((node) => offset >= node.offset && offset <= node.offset + node.length) : undefined;
  const name = video?.children?.find((p) => p.children?.[0]?.value === 'name')?.children?.[1]?.value;
  return typeof name === 'string' ? name : undefined;
}

/** The offset of a video's name in the file, to put the cursor there after saving. */
export function videoNameOffset(text: string, index: number): number | undefined {
  return new StoryboardDocument(text).node(['videos', index, 'name'])?.offset;
}

export type StoryboardDraft = { ok: true; draft: ComposerDraft; notes: string[] } | { ok: false; problem: string };

/** The form for a storyboard's video, with the file's defaults applied; notes say what the form cannot hold yet. */
export function composerDraftFromStoryboard(text: string, name: string): StoryboardDraft {
  const doc = new StoryboardDocument(text);
  const opened = openStoryboard(doc);
  if (!opened.ok) return opened;
  const raw = opened.videos.find((v) => nameOf(v) === name);
  if (raw === undefined) return { ok: false, problem: `the storyboard has no video named "${name}"` };
  const video = StoryboardVideo.safeParse(raw);
  if (!video.success) return { ok: false, problem: `video "${name}" has a problem to fix in the file first: ${video.error.issues[0]?.message ?? 'invalid'}` };
  const rawDefaults = doc.valueAt(['defaults']);
  const defaults = StoryboardDefaults.safeParse(rawDefaults ?? {});
  if (!defaults.success) return { ok: false, problem: `the storyboard's defaults have a problem to fix first: ${defaults.error.issues[0]?.message ?? 'invalid'}` };
  const spec = specFromStoryboardVideo(video.data, defaults.data);
  const notes: string[] = [];
  if (spec.image || spec.end_image) notes.push('Its first and last frame images were left out: the composer does not edit images yet.');
  if (spec.elements?.length) notes.push('Its elements were left out: the composer does not edit elements yet.');
  if (spec.callback_url) notes.push('Its callback_url was left out: the composer does not set one.');
  return { ok: true, draft: draftFromSpec(spec), notes };
}

/** A name for a new video, from the start of its prompt, that the file does not use yet. */
export function suggestVideoName(prompt: string, taken: readonly string[]): string {
  const words = prompt.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean).slice(0, 4);
  let base = words.join('-').slice(0, 30).replace(/-+$/, '') || 'video';
  if (!VIDEO_NAME_PATTERN.test(base)) base = 'video';
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Why a name cannot be used for a new video in a file with these names, or undefined. */
export function videoNameProblem(name: string, taken: readonly string[]): string | undefined {
  if (!VIDEO_NAME_PATTERN.test(name)) return 'Use lowercase letters, digits, "-" and "_", starting with a letter or digit (it becomes <name>.mp4).';
  if (taken.includes(name)) return `This storyboard already has a video named "${name}".`;
  return undefined;
}

function openStoryboard(doc: StoryboardDocument): { ok: true; videos: unknown[] } | { ok: false; problem: string } {
  if (doc.syntaxErrors.length > 0) {
    const line = doc.positionAt(doc.syntaxErrors[0]!.offset).line + 1;
    return { ok: false, problem: `the storyboard has a JSON syntax error on line ${line}: fix it first` };
  }
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    return { ok: false, problem: 'the file is not a storyboard: it should be an object like { "version": 1, "videos": [ … ] }' };
  }
  const videos = doc.valueAt(['videos']);
  if (videos !== undefined && !Array.isArray(videos)) return { ok: false, problem: 'the storyboard\'s "videos" is not a list' };
  return { ok: true, videos: videos ?? [] };
}

function nameOf(video: unknown): string | undefined {
  const name = video !== null && typeof video === 'object' ? (video as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Indentation and line ends as the file already has them. */
function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  const tabs = indent.startsWith('\t');
  return { insertSpaces: !tabs, tabSize: tabs ? 4 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function toEdits(edits: ReturnType<typeof modify>): TextEdit[] {
  return edits.map((edit) => ({ offset: edit.offset, length: edit.length, newText: edit.content }));
}
