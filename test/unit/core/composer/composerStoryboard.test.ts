import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from 'jsonc-parser';
import { checkDraft, emptyDraft, type ComposerDraft } from '../../../../src/core/composer/composerForm';
import {
  composerDraftFromStoryboard,
  newStoryboardText,
  storyboardDefaultsOf,
  storyboardFrameEdits,
  storyboardVideoEdits,
  storyboardVideoFor,
  storyboardVideoUpdateEdits,
  storyboardVideoNames,
  suggestVideoName,
  videoNameAt,
  videoNameOffset,
  videoNameProblem,
} from '../../../../src/core/composer/composerStoryboard';
import * as path from 'node:path';
import { buildVideoRequest, specFromStoryboardVideo } from '../../../../src/core/request/buildRequest';
import type { TextEdit } from '../../../../src/core/storyboard/storyboardDocument';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

const draft = (change: Partial<ComposerDraft> = {}): ComposerDraft => ({ ...emptyDraft(), prompt: 'A slow pan across a night market', ...change });
const videoOf = (d: ComposerDraft) => {
  const check = checkDraft(d);
  assert.ok(check.video, JSON.stringify(check.problems));
  return check.video;
};
const PLACE = { storyboardPath: path.resolve('/ws/boards/launch.kling.json'), workspaceRoot: path.resolve('/ws') };
const apply = (text: string, edits: TextEdit[]) => applyEdits(text, edits.map((e) => ({ offset: e.offset, length: e.length, content: e.newText })));

const STORYBOARD = `{
  // Launch videos: keep this comment
  "version": 1,
  "defaults": { "quality": "1080p", "negative_prompt": "blurry", "watermark": true },
  "videos": [
    { "name": "hero", "prompt": "A dog", "duration": 5 }, // the first
    {
      "name": "teaser",
      "prompt": "Three angles",
      "duration": 9,
      "shots": "auto",
      "sound": "on"
    }
  ]
}
`;

describe('composer ↔ storyboard', () => {
  it('writes only what the file\'s defaults would not say, and means exactly what the form means', () => {
    const cases: ComposerDraft[] = [
      draft(),
      draft({ quality: '1080p', watermark: true, negative_prompt: 'blurry' }),
      draft({ aspect_ratio: '9:16', sound: 'on', duration: '12', negative_prompt: 'text' }),
      draft({ prompt: '', multi_shot: 'custom', duration: '7', shots: [{ prompt: 'a', duration: '3' }, { prompt: 'b', duration: '4' }] }),
    ];
    const defaults = storyboardDefaultsOf(STORYBOARD);
    assert.notEqual(defaults, 'unknown');
    for (const d of cases) {
      const check = checkDraft(d);
      const video = storyboardVideoFor('v', check.video!, defaults as never);
      const fromFile = buildVideoRequest(specFromStoryboardVideo(video, defaults as never));
      assert.deepEqual(fromFile, check.request!, JSON.stringify(video));
    }
    assert.deepEqual(storyboardVideoFor('plain', videoOf(draft()), defaults as never), {
      name: 'plain',
      prompt: 'A slow pan across a night market',
      negative_prompt: '',
      duration: 5,
      quality: '720p',
      watermark: false,
    });
    assert.deepEqual(storyboardVideoFor('plain', videoOf(draft()), {}), { name: 'plain', prompt: 'A slow pan across a night market', duration: 5 });
    assert.deepEqual(
      storyboardVideoFor('same', videoOf(draft({ quality: '1080p', negative_prompt: 'blurry', watermark: true })), defaults as never),
      { name: 'same', prompt: 'A slow pan across a night market', duration: 5 },
      'what the defaults already say is left to them',
    );
  });

  it('appends to an existing storyboard without touching its comments, and the result validates', () => {
    const video = storyboardVideoFor('market', videoOf(draft({ duration: '8' })), storyboardDefaultsOf(STORYBOARD) as never);
    const change = storyboardVideoEdits(STORYBOARD, video);
    assert.ok(change.ok);
    const text = apply(STORYBOARD, change.edits);
    assert.ok(text.startsWith(STORYBOARD.slice(0, STORYBOARD.indexOf('"sound": "on"'))), 'everything before the end is untouched');
    assert.match(text, /\/\/ Launch videos: keep this comment/);
    assert.match(text, /\/\/ the first/);
    assert.equal(change.index, 2);
    assert.deepEqual(storyboardVideoNames(text), ['hero', 'teaser', 'market']);
    const check = checkStoryboardText(text);
    assert.deepEqual(check.problems, []);
    assert.equal(check.storyboard?.videos[2]?.duration, 8);
    const offset = videoNameOffset(text, 2)!;
    assert.equal(text.slice(offset, offset + 8), '"market"');
    assert.match(text, /\n    \{\n      "name": "market",\n/, 'indented as the file is');
  });

  it('replaces the video it was loaded from, and refuses a name that is taken', () => {
    const video = storyboardVideoFor('hero', videoOf(draft({ prompt: 'A cat' })), {});
    const change = storyboardVideoEdits(STORYBOARD, video, 'hero');
    assert.ok(change.ok);
    const text = apply(STORYBOARD, change.edits);
    assert.equal(checkStoryboardText(text).storyboard?.videos[0]?.prompt, 'A cat');
    assert.match(text, /\/\/ Launch videos/);
    assert.deepEqual(storyboardVideoEdits(STORYBOARD, { name: 'teaser', prompt: 'x' }), { ok: false, problem: 'a video is already named "teaser"' });
    assert.deepEqual(storyboardVideoEdits(STORYBOARD, { name: 'gone', prompt: 'x' }, 'gone'), { ok: false, problem: 'the storyboard has no video named "gone" any more' });
  });

  it('refuses a file with a syntax error or that is not a storyboard', () => {
    const broken = storyboardVideoEdits('{ "version": 1, "videos": [ { "name": "a" ', { name: 'b', prompt: 'x' });
    assert.equal(broken.ok, false);
    assert.match(!broken.ok ? broken.problem : '', /JSON syntax error on line 1/);
    assert.equal(storyboardVideoEdits('[1, 2]', { name: 'b', prompt: 'x' }).ok, false);
    const noVideos = storyboardVideoEdits('{ "version": 1 }', { name: 'b', prompt: 'x' });
    assert.ok(noVideos.ok);
    assert.deepEqual(checkStoryboardText(apply('{ "version": 1 }', noVideos.edits)).problems, []);
  });

  it('a new storyboard file validates', () => {
    const text = newStoryboardText(storyboardVideoFor('first', videoOf(draft()), {}));
    assert.deepEqual(checkStoryboardText(text).problems, []);
  });

  it('loads a video with its file\'s defaults applied', () => {
    const loaded = composerDraftFromStoryboard(STORYBOARD, 'teaser', PLACE);
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.draft, {
      prompt: 'Three angles',
      negative_prompt: 'blurry',
      duration: '9',
      aspect_ratio: '16:9',
      quality: '1080p',
      sound: 'on',
      watermark: true,
      multi_shot: 'auto',
      shots: [],
      elements: [],
      callback_url: '',
    });
    assert.deepEqual(loaded.notes, []);
  });

  it('loads images as workspace paths (links as they are), elements as the storyboard\'s, and the callback URL', () => {
    const text = `{ "version": 1, "defaults": { "callback_url": "https://hooks.example.com/k" },
      "videos": [ { "name": "logo", "prompt": "<<<element_1>>> turns", "image": "../assets/a.png", "end_image": "https://cdn.example.com/e.png", "elements": ["m"] } ],
      "elements": [ { "name": "m", "description": "d", "frontal_image": "f.png", "refer_images": ["r.png"] } ] }`;
    const loaded = composerDraftFromStoryboard(text, 'logo', PLACE);
    assert.ok(loaded.ok);
    assert.equal(loaded.draft.image, 'assets/a.png');
    assert.equal(loaded.draft.end_image, 'https://cdn.example.com/e.png');
    assert.deepEqual(loaded.draft.elements, [{ kind: 'storyboard', name: 'm', file: 'boards/launch.kling.json' }]);
    assert.equal(loaded.draft.callback_url, 'https://hooks.example.com/k');
    assert.deepEqual(loaded.notes, []);
  });

  it('says what it cannot load, and why a video cannot be loaded at all', () => {
    const outside = composerDraftFromStoryboard('{ "version": 1, "videos": [ { "name": "logo", "prompt": "turns", "image": "../../etc/a.png" } ] }', 'logo', PLACE);
    assert.ok(outside.ok);
    assert.equal(outside.draft.image, undefined);
    assert.match(outside.notes[0]!, /first frame "\.\.\/\.\.\/etc\/a\.png" leads outside the workspace/);
    const undefinedElement = composerDraftFromStoryboard('{ "version": 1, "videos": [ { "name": "w", "prompt": "x", "elements": ["m"] } ] }', 'w', PLACE);
    assert.deepEqual(undefinedElement, { ok: false, problem: 'video "w" names the element "m", which the file does not define: fix it in the file first' });
    assert.deepEqual(composerDraftFromStoryboard(STORYBOARD, 'nope', PLACE), { ok: false, problem: 'the storyboard has no video named "nope"' });
    const bad = composerDraftFromStoryboard('{ "version": 1, "videos": [ { "name": "x", "prompt": "p", "durration": 5 } ] }', 'x', PLACE);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.problem : '', /video "x" has a problem to fix in the file first/);
  });

  it('finds the video at the cursor', () => {
    assert.equal(videoNameAt(STORYBOARD, STORYBOARD.indexOf('A dog')), 'hero');
    assert.equal(videoNameAt(STORYBOARD, STORYBOARD.indexOf('Three angles')), 'teaser');
    assert.equal(videoNameAt(STORYBOARD, STORYBOARD.indexOf('"version"')), undefined);
  });

  it('suggests a free name from the prompt, and checks names', () => {
    assert.equal(suggestVideoName('A slow pan across a night market', []), 'a-slow-pan-across');
    assert.equal(suggestVideoName('A slow pan across', ['a-slow-pan-across']), 'a-slow-pan-across-2');
    assert.equal(suggestVideoName('¡¿', []), 'video');
    assert.equal(videoNameProblem('hero', ['hero']), 'This storyboard already has a video named "hero".');
    assert.match(videoNameProblem('Hero Shot', [])!, /lowercase/);
    assert.equal(videoNameProblem('hero-2', ['hero']), undefined);
  });
});

describe('storyboardFrameEdits: a frame from Kling Preview into the video at the cursor', () => {
  const text = `{
  // the site's videos
  "version": 1,
  "videos": [
    { "name": "hero", "prompt": "A lighthouse" },
    {
      "name": "next",
      "prompt": "The beam sweeps", // keep this
      "image": "old.png"
    }
  ]
}
`;
  it('sets the field of that video only, keeping comments and the rest as written', () => {
    const edit = storyboardFrameEdits(text, 'hero', 'end_image', 'videos/hero.2.40s.png');
    assert.ok(edit.ok);
    const after = apply(text, edit.edits);
    assert.deepEqual(JSON.parse(after.replace(/\/\/.*$/gm, '')).videos, [
      { name: 'hero', prompt: 'A lighthouse', end_image: 'videos/hero.2.40s.png' },
      { name: 'next', prompt: 'The beam sweeps', image: 'old.png' },
    ]);
    assert.match(after, /\/\/ the site's videos/);
    assert.match(after, /"The beam sweeps", \/\/ keep this/);
  });

  it('replaces a value already there, and writes a frame of another video as an object', () => {
    const edit = storyboardFrameEdits(text, 'next', 'image', { from: 'hero', frame: 'first' });
    assert.ok(edit.ok);
    const after = apply(text, edit.edits);
    assert.match(after, /"image": \{\s*"from": "hero",\s*"frame": "first"\s*\}/);
    assert.doesNotMatch(after, /old\.png/);
  });

  it('says so when the video is gone or the file does not parse', () => {
    assert.deepEqual(storyboardFrameEdits(text, 'gone', 'image', 'a.png'), { ok: false, problem: 'the storyboard has no video named "gone" any more' });
    const broken = storyboardFrameEdits('{ "videos": [ { "name": "hero", ', 'hero', 'image', 'a.png');
    assert.equal(broken.ok, false);
  });
});

describe('composer ↔ storyboard: Web-ready', () => {
  const WEB_DEFAULTS = `{
  "version": 1,
  "defaults": { "web": true },
  "videos": [
    { "name": "hero", "prompt": "A dog", "duration": 5 },
    { "name": "raw", "prompt": "A cat", "duration": 5, "web": false }
  ]
}
`;
  it('carries the checkbox into the storyboard video, leaving it to the defaults when they say the same', () => {
    const web = videoOf(draft({ web: true }));
    assert.equal(storyboardVideoFor('v', web, {}).web, true);
    assert.equal(storyboardVideoFor('v', web, { web: true } as never).web, undefined, 'the defaults say it already');
    assert.equal(storyboardVideoFor('v', videoOf(draft()), { web: true } as never).web, false, 'unchecked where the defaults check it');
    assert.equal(storyboardVideoFor('v', videoOf(draft()), {}).web, undefined);
    assert.equal(storyboardVideoFor('v', web, 'unknown').web, true);
  });

  it('loads it from the video or the file\'s defaults, and saves a video back unchanged with no edit', () => {
    const hero = composerDraftFromStoryboard(WEB_DEFAULTS, 'hero', PLACE);
    assert.ok(hero.ok);
    assert.equal(hero.draft.web, true, 'from the defaults');
    const raw = composerDraftFromStoryboard(WEB_DEFAULTS, 'raw', PLACE);
    assert.ok(raw.ok);
    assert.notEqual(raw.draft.web, true, 'the video says no');
    const same = storyboardVideoUpdateEdits(WEB_DEFAULTS, 'hero', storyboardVideoFor('hero', videoOf(hero.draft), storyboardDefaultsOf(WEB_DEFAULTS) as never), PLACE.storyboardPath);
    assert.deepEqual(same, { ok: true, edits: [], index: 0 });
    const off = storyboardVideoUpdateEdits(WEB_DEFAULTS, 'hero', storyboardVideoFor('hero', videoOf({ ...hero.draft, web: false }), storyboardDefaultsOf(WEB_DEFAULTS) as never), PLACE.storyboardPath);
    assert.ok(off.ok);
    const text = apply(WEB_DEFAULTS, off.edits);
    assert.deepEqual(JSON.parse(text).videos[0], { name: 'hero', prompt: 'A dog', duration: 5, web: false });
    const on = storyboardVideoUpdateEdits(WEB_DEFAULTS, 'raw', storyboardVideoFor('raw', videoOf({ ...raw.draft, web: true }), storyboardDefaultsOf(WEB_DEFAULTS) as never), PLACE.storyboardPath);
    assert.ok(on.ok);
    assert.deepEqual(JSON.parse(apply(WEB_DEFAULTS, on.edits)).videos[1], { name: 'raw', prompt: 'A cat', duration: 5 }, 'back to the defaults, which say web');
  });
});
