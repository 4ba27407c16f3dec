import * as path from 'node:path';
import { applyEdits, modify, type FormattingOptions } from 'jsonc-parser';
import { specFromStoryboardVideo, type VideoSpec } from '../request/buildRequest';
import { StoryboardDocument, type TextEdit } from '../storyboard/storyboardDocument';
import { StoryboardDefaults, StoryboardElement, StoryboardVideo, VIDEO_NAME_PATTERN, type FrameReference } from '../storyboard/storyboardSchema';
import { draftFromSpec, isImageUrl, type ComposerDraft, type ComposerVideo, type DraftElement } from './composerForm';

// Between the composer and `.kling.json` files: "Save as storyboard…" writes the form as a video (into a new file, or
// into an existing one without disturbing its comments and layout), and "Edit in composer" reads a video back, with
// the file's defaults applied. Saving a loaded video back over itself changes only the fields whose meaning changed,
// each where it stands: a video loaded and saved unchanged leaves the file byte for byte as it was.
//
// The composer names local images by their path in the workspace (`assets/logo.png`); a storyboard names them
// relative to itself (`../assets/logo.png` from `boards/`). StoryboardPlace converts between the two.

/** Where a storyboard is: what its relative paths are relative to, and the workspace they must stay in. */
export interface StoryboardPlace {
  /** Absolute. */
  storyboardPath: string;
  /** Absolute: the workspace folder the composer's refs are relative to. */
  workspaceRoot: string;
}

/** A storyboard's image path as a composer ref, or undefined when it leads outside the workspace. */
export function refFromStoryboard(place: StoryboardPlace, reference: string): string | undefined {
  if (isImageUrl(reference)) return reference;
  const absolute = path.resolve(path.dirname(place.storyboardPath), reference);
  const relative = path.relative(place.workspaceRoot, absolute);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/** A composer ref as the storyboard writes it: relative to the storyboard, with `/`. */
export function refToStoryboard(place: StoryboardPlace, ref: string): string {
  if (isImageUrl(ref)) return ref;
  const absolute = path.resolve(place.workspaceRoot, ...ref.split('/'));
  return path.relative(path.dirname(place.storyboardPath), absolute).split(path.sep).join('/');
}

/** Where an image reference of a storyboard leads: an absolute path, or the URL itself. */
function resolveReference(storyboardPath: string, reference: string): string {
  return isImageUrl(reference) ? reference : path.resolve(path.dirname(storyboardPath), reference);
}

/**
 * The storyboard video that means exactly what the form means, in a file with these defaults: a setting is written
 * only where the defaults would say something else, so the file's defaults keep their say over the rest. Image
 * paths are the storyboard's own (refToStoryboard) by now.
 */
export function storyboardVideoFor(name: string, video: ComposerVideo, defaults: StoryboardDefaults | 'unknown' = {}): StoryboardVideo {
  if (defaults === 'unknown') return explicitVideo(name, video);
  const result: StoryboardVideo = { name };
  if (video.prompt !== undefined) result.prompt = video.prompt;
  // An empty negative prompt says "none", where leaving it out would take the file's.
  if (video.negative_prompt !== undefined) {
    if (video.negative_prompt !== defaults.negative_prompt) result.negative_prompt = video.negative_prompt;
  } else if (defaults.negative_prompt) {
    result.negative_prompt = '';
  }
  result.duration = video.duration;
  if (video.shots !== undefined) result.shots = video.shots;
  if (video.image !== undefined) result.image = video.image;
  if (video.end_image !== undefined) result.end_image = video.end_image;
  if (video.elements?.length) result.elements = video.elements;
  if (video.aspect_ratio !== undefined && video.aspect_ratio !== (defaults.aspect_ratio ?? '16:9')) result.aspect_ratio = video.aspect_ratio;
  if (video.quality !== undefined && video.quality !== (defaults.quality ?? '720p')) result.quality = video.quality;
  if (video.sound !== undefined && video.sound !== (defaults.sound ?? 'off')) result.sound = video.sound;
  if (video.watermark === true && defaults.watermark !== true) result.watermark = true;
  if (video.watermark !== true && defaults.watermark === true) result.watermark = false;
  if (video.callback_url !== undefined && video.callback_url !== defaults.callback_url) result.callback_url = video.callback_url;
  if ((video.takes ?? 1) !== (defaults.takes ?? 1)) result.takes = video.takes ?? 1;
  if (video.web === true && defaults.web !== true) result.web = true;
  if (video.web !== true && defaults.web === true) result.web = false;
  return result;
}

/** Every setting written out: for a file whose defaults cannot be read, so none of them can change the video. */
function explicitVideo(name: string, video: ComposerVideo): StoryboardVideo {
  const result: StoryboardVideo = { name };
  if (video.prompt !== undefined) result.prompt = video.prompt;
  result.negative_prompt = video.negative_prompt ?? '';
  result.duration = video.duration;
  if (video.shots !== undefined) result.shots = video.shots;
  if (video.image !== undefined) result.image = video.image;
  if (video.end_image !== undefined) result.end_image = video.end_image;
  if (video.elements?.length) result.elements = video.elements;
  result.aspect_ratio = video.aspect_ratio ?? '16:9';
  result.quality = video.quality ?? '720p';
  result.sound = video.sound ?? 'off';
  result.watermark = video.watermark === true;
  if (video.callback_url !== undefined) result.callback_url = video.callback_url;
  if ((video.takes ?? 1) > 1) result.takes = video.takes;
  result.web = video.web === true;
  return result;
}

/** The composer's video with its refs as the storyboard at `place` writes them. */
export function videoForStoryboard(video: ComposerVideo, place: StoryboardPlace): ComposerVideo {
  const result: ComposerVideo = { ...video };
  if (video.image !== undefined) result.image = refToStoryboard(place, video.image);
  if (video.end_image !== undefined) result.end_image = refToStoryboard(place, video.end_image);
  return result;
}

/** The file's defaults, or 'unknown' when it has some that do not parse. */
export function storyboardDefaultsOf(text: string): StoryboardDefaults | 'unknown' {
  const raw = new StoryboardDocument(text).valueAt(['defaults']);
  if (raw === undefined) return {};
  const parsed = StoryboardDefaults.safeParse(raw);
  return parsed.success ? parsed.data : 'unknown';
}

/** A new storyboard holding one video (and the elements it names). */
export function newStoryboardText(video: StoryboardVideo, elements: readonly StoryboardElement[] = []): string {
  return `${JSON.stringify({ version: 1, videos: [video], ...(elements.length ? { elements } : {}) }, null, 2)}\n`;
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

/** The fields of a storyboard video other than its name, in the order they are written. */
const VIDEO_FIELDS = ['prompt', 'negative_prompt', 'duration', 'shots', 'image', 'end_image', 'elements', 'aspect_ratio', 'quality', 'sound', 'watermark', 'callback_url'] as const;
type VideoField = (typeof VIDEO_FIELDS)[number];

/**
 * Edits that make the video named `name` mean what `video` means, changing only the fields whose meaning differs
 * (with the file's defaults applied to both), each in place: a field that means the same stays as written (its
 * spelling, its place, the comments around it), so a video saved back unchanged gives no edit at all. A field that
 * changes is written as storyboardVideoFor would write it: left out when the defaults say it.
 */
export function storyboardVideoUpdateEdits(text: string, name: string, video: StoryboardVideo, storyboardPath: string): StoryboardEdit {
  const doc = new StoryboardDocument(text);
  const opened = openStoryboard(doc);
  if (!opened.ok) return opened;
  const index = opened.videos.findIndex((v) => nameOf(v) === name);
  if (index === -1) return { ok: false, problem: `the storyboard has no video named "${name}" any more` };
  const raw = opened.videos[index];
  const original = StoryboardVideo.safeParse(raw);
  const defaults = StoryboardDefaults.safeParse(doc.valueAt(['defaults']) ?? {});
  if (!original.success || !defaults.success || hasFrameReference(original.data)) {
    // Nothing to compare with: the whole video is written anew.
    return storyboardVideoEdits(text, video, name);
  }
  const before = specFromStoryboardVideo(original.data, defaults.data);
  const after = specFromStoryboardVideo(video, defaults.data);
  const options = { formattingOptions: formattingOf(text) };
  let next = text;
  for (const field of VIDEO_FIELDS) {
    if (sameMeaning(field, before, after, storyboardPath)) continue;
    const value = video[field];
    const at = ['videos', index, field];
    const present = (raw as Record<string, unknown>)[field] !== undefined;
    if (value === undefined && !present) continue;
    next = applyEdits(next, modify(next, at, value, options));
  }
  // Web-ready is about the saved file, not the request (so not in the spec): compared as the file settles it.
  const webBefore = (original.data.web ?? defaults.data.web) === true;
  const webAfter = (video.web ?? defaults.data.web) === true;
  if (webBefore !== webAfter) next = applyEdits(next, modify(next, ['videos', index, 'web'], video.web, options));
  return { ok: true, edits: next === text ? [] : [wholeChange(text, next)], index };
}

/** Whether two settled videos agree on one field (image paths by where they lead, from the same storyboard). */
function sameMeaning(field: VideoField, a: VideoSpec, b: VideoSpec, storyboardPath: string): boolean {
  switch (field) {
    case 'image':
    case 'end_image': {
      const x = a[field];
      const y = b[field];
      return x === y || (x !== undefined && y !== undefined && resolveReference(storyboardPath, x) === resolveReference(storyboardPath, y));
    }
    case 'negative_prompt':
    case 'callback_url':
      return (a[field] ?? '') === (b[field] ?? '');
    case 'watermark':
      return (a.watermark === true) === (b.watermark === true);
    case 'elements':
      return JSON.stringify(a.elements ?? []) === JSON.stringify(b.elements ?? []);
    case 'shots':
      return JSON.stringify(a.shots ?? null) === JSON.stringify(b.shots ?? null);
    default:
      return a[field] === b[field];
  }
}

/** The elements the file defines, by name, as they are written. */
export function storyboardElementsOf(text: string): StoryboardElement[] {
  const raw = new StoryboardDocument(text).valueAt(['elements']);
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((element) => {
    const parsed = StoryboardElement.safeParse(element);
    return parsed.success ? [parsed.data] : [];
  });
}

/** An element the form names, with where its definition comes from (paths relative to that storyboard). */
export interface ElementDefinition {
  element: StoryboardElement;
  /** The storyboard it is written in; absent for one defined in the composer (its paths are workspace refs). */
  storyboardPath?: string | undefined;
}

/** A composer element's definition, as a storyboard element with workspace refs (the host checks it is complete). */
export function definitionOfNewElement(element: Extract<DraftElement, { kind: 'new' }>): StoryboardElement {
  return { name: element.name, description: element.description, frontal_image: element.frontal_image, refer_images: [...element.refer_images] };
}

export type ElementsEdit =
  | { ok: true; edits: TextEdit[]; added: StoryboardElement[] }
  | { ok: false; problem: string };

/**
 * Edits that give the storyboard at `place` every element the form names: one it already defines the same way
 * (same text, images that lead to the same files) is used as it is; one from another storyboard or from the
 * composer is added to its `elements`, its image paths rewritten for this file. A different element of the same name
 * is not overwritten: that is a problem to resolve by hand.
 */
export function storyboardElementEdits(text: string, place: StoryboardPlace, wanted: readonly ElementDefinition[]): ElementsEdit {
  const present = storyboardElementsOf(text);
  const added: StoryboardElement[] = [];
  const here = (definition: ElementDefinition): StoryboardElement => {
    const source: StoryboardPlace = definition.storyboardPath ? { storyboardPath: definition.storyboardPath, workspaceRoot: place.workspaceRoot } : place;
    const toHere = (reference: string) => {
      if (isImageUrl(reference)) return reference;
      const ref = definition.storyboardPath ? refFromStoryboard(source, reference) : reference;
      return ref === undefined ? reference : refToStoryboard(place, ref);
    };
    const e = definition.element;
    return { name: e.name, description: e.description, frontal_image: toHere(e.frontal_image), refer_images: e.refer_images.map(toHere) };
  };
  for (const definition of wanted) {
    const element = here(definition);
    const existing = present.find((e) => e.name === element.name) ?? added.find((e) => e.name === element.name);
    if (existing) {
      if (sameElement(existing, element, place.storyboardPath)) continue;
      return { ok: false, problem: `it already defines a different element named "${element.name}": rename one of them` };
    }
    added.push(element);
  }
  if (added.length === 0) return { ok: true, edits: [], added };
  const doc = new StoryboardDocument(text);
  const options = { formattingOptions: formattingOf(text) };
  let next = text;
  if (doc.node(['elements'])?.type !== 'array') {
    next = applyEdits(next, modify(next, ['elements'], added, options));
  } else {
    for (const element of added) next = applyEdits(next, modify(next, ['elements', -1], element, { ...options, isArrayInsertion: true }));
  }
  return { ok: true, edits: [wholeChange(text, next)], added };
}

function sameElement(a: StoryboardElement, b: StoryboardElement, storyboardPath: string): boolean {
  const where = (reference: string) => resolveReference(storyboardPath, reference);
  return (
    a.name === b.name &&
    a.description === b.description &&
    where(a.frontal_image) === where(b.frontal_image) &&
    a.refer_images.length === b.refer_images.length &&
    a.refer_images.every((image, i) => where(image) === where(b.refer_images[i]!))
  );
}

export interface SaveVideo {
  place: StoryboardPlace;
  name: string;
  /** The checked form (checkDraft's `video`), its images as workspace refs. */
  video: ComposerVideo;
  /** The definitions of the elements it names, in order. */
  elements: readonly ElementDefinition[];
  /** Update the video of this name in place; else append a new one. */
  replacing?: string | undefined;
}

/**
 * The one edit that saves the form into a storyboard's text: its elements added where the file lacks them, then the
 * video appended, or updated field by field (storyboardVideoUpdateEdits). No edit at all when nothing changes.
 */
export function saveVideoEdits(text: string, save: SaveVideo): StoryboardEdit {
  const elements = storyboardElementEdits(text, save.place, save.elements);
  if (!elements.ok) return elements;
  const withElements = applyTextEdits(text, elements.edits);
  const video = storyboardVideoFor(save.name, videoForStoryboard(save.video, save.place), storyboardDefaultsOf(withElements));
  const change =
    save.replacing !== undefined
      ? storyboardVideoUpdateEdits(withElements, save.replacing, video, save.place.storyboardPath)
      : storyboardVideoEdits(withElements, video);
  if (!change.ok) return change;
  const after = applyTextEdits(withElements, change.edits);
  return { ok: true, edits: after === text ? [] : [wholeChange(text, after)], index: change.index };
}

/** Applies edits made against `text` (non-overlapping) to it. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return applyEdits(text, edits.map((e) => ({ offset: e.offset, length: e.length, content: e.newText })));
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

/**
 * Edits that set one frame field (`image` or `end_image`) of the video named `name` to a path (relative to the
 * storyboard) or to a frame of another video of the file, leaving the rest of the file as it is written.
 */
export function storyboardFrameEdits(text: string, name: string, field: 'image' | 'end_image', value: string | FrameReference): StoryboardEdit {
  const opened = openStoryboard(new StoryboardDocument(text));
  if (!opened.ok) return opened;
  const index = opened.videos.findIndex((v) => nameOf(v) === name);
  if (index === -1) return { ok: false, problem: `the storyboard has no video named "${name}" any more` };
  return { ok: true, edits: toEdits(modify(text, ['videos', index, field], value, { formattingOptions: formattingOf(text) })), index };
}

/** The offset of a video's name in the file, to put the cursor there after saving. */
export function videoNameOffset(text: string, index: number): number | undefined {
  return new StoryboardDocument(text).node(['videos', index, 'name'])?.offset;
}

export type StoryboardDraft = { ok: true; draft: ComposerDraft; notes: string[] } | { ok: false; problem: string };

/**
 * The form for a storyboard's video, with the file's defaults applied, its images as workspace refs and its elements
 * as the storyboard's own. Notes say what the form could not hold (an image path that leads outside the workspace).
 */
export function composerDraftFromStoryboard(text: string, name: string, place: StoryboardPlace): StoryboardDraft {
  const doc = new StoryboardDocument(text);
  const opened = openStoryboard(doc);
  if (!opened.ok) return opened;
  const raw = opened.videos.find((v) => nameOf(v) === name);
  if (raw === undefined) return { ok: false, problem: `the storyboard has no video named "${name}"` };
  const video = StoryboardVideo.safeParse(raw);
  if (!video.success) return { ok: false, problem: `video "${name}" has a problem to fix in the file first: ${video.error.issues[0]?.message ?? 'invalid'}` };
  if (hasFrameReference(video.data)) {
    return { ok: false, problem: `video "${name}" takes a frame from another video of the storyboard, which the composer cannot hold: edit it in the file` };
  }
  const rawDefaults = doc.valueAt(['defaults']);
  const defaults = StoryboardDefaults.safeParse(rawDefaults ?? {});
  if (!defaults.success) return { ok: false, problem: `the storyboard's defaults have a problem to fix first: ${defaults.error.issues[0]?.message ?? 'invalid'}` };
  const spec = specFromStoryboardVideo(video.data, defaults.data);
  const notes: string[] = [];
  const ref = (label: string, reference: string | undefined) => {
    if (reference === undefined) return undefined;
    const found = refFromStoryboard(place, reference);
    if (found === undefined) notes.push(`Its ${label} ${JSON.stringify(reference)} leads outside the workspace and was left out: fix the path in the storyboard.`);
    return found;
  };
  const image = ref('first frame', spec.image);
  const end_image = ref('last frame', spec.end_image);
  if (image === undefined && end_image !== undefined) return { ok: false, problem: `video "${name}" has a last frame without a first frame: fix it in the file first` };
  const file = path.relative(place.workspaceRoot, place.storyboardPath).split(path.sep).join('/');
  const defined = new Set(storyboardElementsOf(text).map((e) => e.name));
  const elements: DraftElement[] = (spec.elements ?? []).map((element) => ({ kind: 'storyboard', name: element, file }));
  for (const element of spec.elements ?? []) {
    if (!defined.has(element)) return { ok: false, problem: `video "${name}" names the element "${element}", which the file does not define: fix it in the file first` };
  }
  const draft = draftFromSpec(spec, { image, end_image, elements });
  if ((video.data.web ?? defaults.data.web) === true) draft.web = true;
  return { ok: true, draft, notes };
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

/** One edit that turns `before` into `after`: the span between their common start and common end. */
function wholeChange(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { offset: start, length: before.length - start - end, newText: after.slice(start, after.length - end) };
}

/** A frame of another video (`{ "from": …, "frame": … }`) as its first or last frame: only a storyboard render resolves it. */
function hasFrameReference(video: StoryboardVideo): boolean {
  return [video.image, video.end_image].some((image) => image !== undefined && typeof image !== 'string');
}
