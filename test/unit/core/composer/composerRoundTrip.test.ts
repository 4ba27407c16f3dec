import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkDraft, draftLocalImages, type ComposerDraft, type ImageVerdict } from '../../../../src/core/composer/composerForm';
import {
  applyTextEdits,
  composerDraftFromStoryboard,
  saveVideoEdits,
  storyboardElementsOf,
  storyboardVideoNames,
  type StoryboardPlace,
} from '../../../../src/core/composer/composerStoryboard';
import { specFromStoryboardVideo } from '../../../../src/core/request/buildRequest';
import { StoryboardVideo, type StoryboardDefaults, type StoryboardElement } from '../../../../src/core/storyboard/storyboardSchema';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

// Edit in Composer → Save over the same video is the identity on the file: every field the format has comes back as
// it was (images, elements, callback_url, watermark, defaults not repeated), and comments and layout elsewhere are
// untouched. Checked on generated storyboards over the whole video schema, and on every storyboard of the repo.
//
// The generator is a small one of our own rather than fast-check: the values must be valid storyboard videos (shots
// that add up, prompts that name only the elements they have, a last frame only with a first), which is easier to say
// directly than with arbitraries and filters, and a seeded PRNG makes every failure reproducible from its seed.

/** mulberry32: small, seeded, good enough to pick cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const chance = (rng: Rng, p = 0.5) => rng() < p;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

const WORDS = ['A red kite', 'over green hills', 'slow motion', '"quoted"', 'back\\slash', 'naïve café', '雨の夜', 'emoji 🎬', 'tab\there', 'two\nlines', '  spaced  ', 'cinematic'];
const text = (rng: Rng, words = int(rng, 1, 5)) => Array.from({ length: words }, () => pick(rng, WORDS)).join(' ');

const WORKSPACE = path.resolve('/ws');
const PLACE: StoryboardPlace = { storyboardPath: path.join(WORKSPACE, 'boards', 'board.kling.json'), workspaceRoot: WORKSPACE };
const LOCAL_IMAGES = ['assets/logo.png', './assets/logo.png', '../common/hero shot.jpg', 'frames/end.png', '../common/./wide.jpeg', 'ünïcode/pic.png'];
const URL_IMAGES = ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.jpg?x=1&y=2'];
const image = (rng: Rng) => (chance(rng, 0.8) ? pick(rng, LOCAL_IMAGES) : pick(rng, URL_IMAGES));

/** What a generated video needs to know of its file. */
interface FileFacts {
  elements: string[];
}

type Field = Exclude<keyof typeof StoryboardVideo.shape, 'name'>;

/**
 * One generator per field of the schema's video, keyed by the schema's own field names: a field added to the format
 * without a generator here does not compile. Each returns a value, or undefined to leave the field out; the ones
 * whose validity depends on others (duration, prompt, end_image) look at what was chosen before them.
 */
const FIELDS: { [K in Field]: (rng: Rng, video: Partial<StoryboardVideo>, file: FileFacts) => StoryboardVideo[K] | undefined } = {
  shots: (rng) => {
    const kind = pick(rng, ['none', 'none', 'auto', 'list'] as const);
    if (kind === 'auto') return 'auto';
    if (kind === 'none') return undefined;
    const count = int(rng, 1, 6);
    return Array.from({ length: count }, () => ({ prompt: text(rng, 2).slice(0, 500), duration: int(rng, 1, 2) }));
  },
  duration: (rng, video) => {
    if (Array.isArray(video.shots)) {
      const sum = video.shots.reduce((total, shot) => total + shot.duration, 0);
      // The sum is the default: written or not. A list of short shots may add up to less than 3: lengthen the last.
      if (sum < 3) video.shots[video.shots.length - 1]!.duration += 3 - sum;
      const total = Math.max(sum, 3);
      return chance(rng) ? total : undefined;
    }
    return chance(rng, 0.7) ? int(rng, 3, 15) : undefined;
  },
  elements: (rng, _video, file) => {
    if (!chance(rng, 0.4) || file.elements.length === 0) return undefined;
    const chosen = file.elements.filter(() => chance(rng));
    return chosen.length ? chosen : [file.elements[0]!];
  },
  prompt: (rng, video) => {
    const refs = (video.elements ?? []).map((_, i) => `<<<element_${i + 1}>>>`);
    const words = `${text(rng)}${refs.length && chance(rng, 0.8) ? ` ${refs.join(' and ')}` : ''}`;
    if (Array.isArray(video.shots) && chance(rng, 0.4)) return chance(rng) ? '' : undefined;
    return words;
  },
  negative_prompt: (rng) => pick(rng, [undefined, undefined, '', 'blurry, text', text(rng)]),
  image: (rng) => (chance(rng, 0.45) ? image(rng) : undefined),
  end_image: (rng, video) => (video.image !== undefined && chance(rng, 0.5) ? image(rng) : undefined),
  aspect_ratio: (rng) => pick(rng, [undefined, '16:9', '9:16', '1:1'] as const),
  quality: (rng) => pick(rng, [undefined, '720p', '1080p'] as const),
  sound: (rng) => pick(rng, [undefined, 'off', 'on'] as const),
  watermark: (rng) => pick(rng, [undefined, true, false]),
  callback_url: (rng) => pick(rng, [undefined, undefined, 'https://hooks.example.com/kling', 'https://hooks.example.com/k?video=1']),
  takes: (rng) => pick(rng, [undefined, undefined, 1, 2, 4]),
  loop: (rng, video) => (video.image !== undefined && video.end_image === undefined ? pick(rng, [undefined, true, false]) : undefined),
  web: (rng) => pick(rng, [undefined, undefined, true, false]),
};
// Generated in this order: each may look at the ones before it.
const ORDER: Field[] = ['shots', 'duration', 'elements', 'prompt', 'negative_prompt', 'image', 'end_image', 'aspect_ratio', 'quality', 'sound', 'watermark', 'callback_url', 'takes', 'loop', 'web'];

function generateVideo(rng: Rng, name: string, file: FileFacts): StoryboardVideo {
  const video: Partial<StoryboardVideo> & Record<string, unknown> = { name };
  for (const field of ORDER) {
    const value = FIELDS[field](rng, video, file);
    if (value !== undefined) (video as Record<string, unknown>)[field] = value;
  }
  // A prompt is needed unless the shots are the user's own.
  if (video.prompt === undefined && !Array.isArray(video.shots)) video.prompt = text(rng);
  if (video.prompt === '' && !Array.isArray(video.shots)) video.prompt = text(rng);
  const parsed = StoryboardVideo.safeParse(video);
  assert.ok(parsed.success, `the generator made an invalid video: ${JSON.stringify(video)}`);
  // Written in a shuffled key order, as a person might have: nothing may depend on the order.
  const keys = Object.keys(video).filter((k) => k !== 'name');
  keys.sort(() => rng() - 0.5);
  return Object.fromEntries([['name', name], ...keys.map((k) => [k, video[k]])]) as StoryboardVideo;
}

function generateDefaults(rng: Rng): StoryboardDefaults | undefined {
  if (!chance(rng, 0.7)) return undefined;
  const defaults: StoryboardDefaults = {};
  if (chance(rng)) defaults.quality = pick(rng, ['720p', '1080p'] as const);
  if (chance(rng)) defaults.aspect_ratio = pick(rng, ['16:9', '9:16', '1:1'] as const);
  if (chance(rng)) defaults.sound = pick(rng, ['off', 'on'] as const);
  if (chance(rng)) defaults.negative_prompt = pick(rng, ['', 'blurry, watermark']);
  if (chance(rng)) defaults.watermark = chance(rng);
  if (chance(rng, 0.3)) defaults.callback_url = 'https://hooks.example.com/default';
  return defaults;
}

const ELEMENTS: StoryboardElement[] = [
  { name: 'mascot', description: 'A round orange robot', frontal_image: 'assets/mascot.png', refer_images: ['assets/mascot-side.png'] },
  { name: 'dog', description: 'A golden retriever', frontal_image: '../common/dog.jpg', refer_images: ['../common/dog-2.jpg', 'https://cdn.example.com/dog.png'] },
  { name: 'logo', description: '', frontal_image: 'https://cdn.example.com/logo.png', refer_images: ['assets/logo.png'] },
];

/** A storyboard text with the video among others, comments around it, and one of several layouts. */
function storyboardText(rng: Rng, video: StoryboardVideo, defaults: StoryboardDefaults | undefined): string {
  const layout = pick(rng, ['line', 'two', 'four', 'tabs'] as const);
  const indent = layout === 'tabs' ? '\t' : layout === 'four' ? '    ' : '  ';
  const format = (value: unknown, depth: number) =>
    layout === 'line' ? JSON.stringify(value) : JSON.stringify(value, null, indent).split('\n').join(`\n${indent.repeat(depth)}`);
  const other = { name: 'other', prompt: 'Another video // not a comment', duration: 4 };
  const lines = [
    '{',
    `${indent}// Launch videos: this comment must survive`,
    `${indent}"version": 1,`,
    ...(defaults ? [`${indent}"defaults": ${format(defaults, 1)}, /* the file's defaults */`] : []),
    `${indent}"videos": [`,
    `${indent.repeat(2)}${format(other, 2)},`,
    `${indent.repeat(2)}// the video under test`,
    `${indent.repeat(2)}${format(video, 2)}, // trailing comment`,
    `${indent.repeat(2)}{ "name": "last", "prompt": "The end" }`,
    `${indent}],`,
    `${indent}"elements": ${format(ELEMENTS, 1)}`,
    '}',
    '',
  ];
  return lines.join(layout === 'two' && chance(rng, 0.3) ? '\r\n' : '\n');
}

/** The verdict the host would give each local image: all usable here (the files are imagined). */
function allGood(draft: ComposerDraft): Record<string, ImageVerdict> {
  return Object.fromEntries(draftLocalImages(draft).map((ref) => [ref, { ok: true, type: 'png', width: 640, height: 640, bytes: 1000 } as ImageVerdict]));
}

/** Loads `name` into the form and saves it back over itself; returns the file afterwards. */
function roundTrip(text: string, name: string, place: StoryboardPlace, change?: (draft: ComposerDraft) => ComposerDraft): string {
  const loaded = composerDraftFromStoryboard(text, name, place);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.problem);
  assert.deepEqual(loaded.notes, []);
  const draft = change ? change(loaded.draft) : loaded.draft;
  const check = checkDraft(draft, { images: allGood(draft) });
  assert.equal(check.problemCount, 0, JSON.stringify(check.problems));
  const definitions = storyboardElementsOf(text).map((element) => ({ element, storyboardPath: place.storyboardPath }));
  const wanted = draft.elements.map((e) => definitions.find((d) => d.element.name === e.name)!);
  const saved = saveVideoEdits(text, { place, name, video: check.video!, elements: wanted, replacing: name });
  assert.ok(saved.ok, saved.ok ? '' : saved.problem);
  return applyTextEdits(text, saved.edits);
}

describe('composer round trip: load a storyboard video, save it back', () => {
  const SEEDS = 400;

  it(`is the identity on ${SEEDS} generated storyboards (every field of a video, defaults, comments, layouts)`, () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = random(seed);
      const video = generateVideo(rng, 'under-test', { elements: ELEMENTS.map((e) => e.name) });
      for (const key of Object.keys(video)) seen.add(key);
      const text = storyboardText(rng, video, generateDefaults(rng));
      assert.deepEqual(checkStoryboardText(text).problems.map((p) => p.message), [], `seed ${seed}: the generated file is valid`);
      const after = roundTrip(text, 'under-test', PLACE);
      assert.equal(after, text, `seed ${seed}: saving it back changed the file`);
    }
    assert.deepEqual([...seen].sort(), Object.keys(StoryboardVideo.shape).sort(), 'every field of the schema was generated at least once');
  });

  it('changes only the field that changed, where it stands, and the file means the new video', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rng = random(10_000 + seed);
      const video = generateVideo(rng, 'under-test', { elements: ELEMENTS.map((e) => e.name) });
      const defaults = generateDefaults(rng);
      const text = storyboardText(rng, video, defaults);
      const quality = specFromStoryboardVideo(video, defaults).quality === '720p' ? '1080p' : '720p';
      const after = roundTrip(text, 'under-test', PLACE, (draft) => ({ ...draft, quality }));
      const check = checkStoryboardText(after);
      assert.deepEqual(check.problems, [], `seed ${seed}`);
      const saved = check.storyboard!.videos.find((v) => v.name === 'under-test')!;
      const expected = { ...specFromStoryboardVideo(video, check.storyboard!.defaults), quality };
      assert.deepEqual(specFromStoryboardVideo(saved, check.storyboard!.defaults), expected, `seed ${seed}: means the new video`);
      assert.deepEqual(storyboardVideoNames(after), ['other', 'under-test', 'last']);
      const outside = (t: string) => [t.slice(0, t.indexOf('// the video under test')), t.slice(t.indexOf('// trailing comment'))];
      assert.deepEqual(outside(after), outside(text), `seed ${seed}: nothing outside the video changed`);
    }
  });

  it('is the identity on every storyboard of the repo (examples/ and test/), video by video', () => {
    const root = path.resolve(__dirname, '..', '..', '..', '..', '..');
    const files = [...storyboardsUnder(path.join(root, 'examples')), ...storyboardsUnder(path.join(root, 'test'))];
    assert.ok(files.length >= 4, `found ${files.length} storyboards`);
    let videos = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (checkStoryboardText(text).problems.length > 0) continue;
      const place = { storyboardPath: file, workspaceRoot: root };
      for (const name of storyboardVideoNames(text)) {
        assert.equal(roundTrip(text, name, place), text, `${path.relative(root, file)}: ${name}`);
        videos++;
      }
    }
    assert.ok(videos >= 8, `round-tripped ${videos} videos`);
  });
});

function storyboardsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return storyboardsUnder(full);
    return name.endsWith('.kling.json') ? [full] : [];
  });
}
