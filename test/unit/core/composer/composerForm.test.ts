import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VideoRequest } from '../../../../src/core/api/apiSchemas';
import {
  addElement,
  addShot,
  elementToken,
  insertToken,
  moveElement,
  newElement,
  removeElement,
  updateElement,
  checkDraft,
  type ComposerDraft,
  composerSpec,
  draftFromRequest,
  draftFromSpec,
  draftToVideo,
  durationFromShots,
  emptyDraft,
  moveShot,
  removeShot,
  setDurationToShots,
  setMultiShot,
  updateShot,
} from '../../../../src/core/composer/composerForm';
import { formatAmount, formatUsd } from '../../../../src/core/pricing/decimal';
import { buildVideoRequest, specFromStoryboardVideo } from '../../../../src/core/request/buildRequest';

const draft = (change: Partial<ComposerDraft> = {}): ComposerDraft => ({ ...emptyDraft(), prompt: 'A red kite over green hills', ...change });
const shots = (...list: Array<[string, string]>) => list.map(([prompt, duration]) => ({ prompt, duration }));

describe('composer form: checking', () => {
  it('accepts a plain prompt and builds the same request Generate from Prompt would', () => {
    const check = checkDraft(draft());
    assert.equal(check.problemCount, 0);
    assert.deepEqual(check.request, {
      model: 'kling-v3-text-to-video',
      prompt: 'A red kite over green hills',
      duration: 5,
      aspect_ratio: '16:9',
      quality: '720p',
      sound: 'off',
      model_params: { watermark_info: { enabled: false } },
    });
    assert.deepEqual(check.request, buildVideoRequest({ prompt: 'A red kite over green hills', duration: 5, aspect_ratio: '16:9', quality: '720p', sound: 'off' }));
    assert.ok(VideoRequest.safeParse(check.request).success);
  });

  it('prices the form as it changes: duration, quality and sound', () => {
    const usd = (change: Partial<ComposerDraft>) => formatUsd(checkDraft(draft(change)).price!.usd);
    assert.equal(usd({}), '$0.375');
    assert.equal(usd({ duration: '10' }), '$0.75');
    assert.equal(usd({ duration: '10', quality: '1080p' }), '$1.00');
    assert.equal(usd({ duration: '10', quality: '1080p', sound: 'on' }), '$1.50');
    assert.equal(formatAmount(checkDraft(draft({ duration: '10', quality: '1080p', sound: 'on' })).price!.credits), '108');
  });

  it('prices a form whose other fields still need work, but not one without a valid duration', () => {
    const noPrompt = checkDraft(draft({ prompt: '', duration: '7' }));
    assert.equal(noPrompt.problemCount, 1);
    assert.equal(formatUsd(noPrompt.price!.usd), '$0.525');
    for (const duration of ['2', '16', '4.5', '', 'abc']) {
      const check = checkDraft(draft({ duration }));
      assert.equal(check.price, undefined, `no price for ${JSON.stringify(duration)}`);
      assert.match(check.problems.duration!, /duration must be a whole number of seconds from 3 to 15; got /);
    }
  });

  it('quotes the storyboard schema beside each field', () => {
    const check = checkDraft(draft({ prompt: 'x'.repeat(2501), negative_prompt: 'y'.repeat(2600), duration: '20' }));
    assert.equal(check.problems.prompt, 'prompt is 2501 characters long; the limit is 2500');
    assert.equal(check.problems.negative_prompt, 'negative_prompt is 2600 characters long; the limit is 2500');
    assert.equal(check.problems.duration, 'duration must be a whole number of seconds from 3 to 15; got 20');
    assert.equal(check.problemCount, 3);
    assert.equal(check.request, undefined);
  });

  it('needs a prompt, with words that fit the multi-shot mode', () => {
    assert.equal(checkDraft(draft({ prompt: '  ' })).problems.prompt, 'Describe the video to generate.');
    assert.equal(checkDraft(draft({ prompt: '', multi_shot: 'auto' })).problems.prompt, 'Describe the video: the model plans its shots from this prompt.');
  });

  it('"let the model plan" becomes shot_type intelligence', () => {
    const check = checkDraft(draft({ multi_shot: 'auto', duration: '9' }));
    assert.deepEqual(check.request?.model_params, { multi_shot: true, shot_type: 'intelligence', watermark_info: { enabled: false } });
  });

  it('"my shots" becomes multi_prompt with string durations, and the prompt may be empty', () => {
    const check = checkDraft(draft({ prompt: '', multi_shot: 'custom', duration: '10', shots: shots(['A hilltop at dawn', '4'], ['The city below', '6']) }));
    assert.equal(check.problemCount, 0, JSON.stringify(check.problems));
    assert.equal(check.request?.prompt, '');
    assert.deepEqual(check.request?.model_params, {
      multi_shot: true,
      shot_type: 'customize',
      multi_prompt: [
        { index: 1, prompt: 'A hilltop at dawn', duration: '4' },
        { index: 2, prompt: 'The city below', duration: '6' },
      ],
      watermark_info: { enabled: false },
    });
    assert.deepEqual(check.shotTotal, { seconds: 10, complete: true });
  });

  it('an invalid shot total is reported under the shots, with what to do, and blocks the request', () => {
    const check = checkDraft(draft({ multi_shot: 'custom', duration: '5', shots: shots(['One', '4'], ['Two', '3']) }));
    assert.equal(check.problems.shots, 'The shots add up to 7 s but the video is 5 s: set the duration to 7 s, or change the shots.');
    assert.equal(check.request, undefined);
    assert.equal(check.problemCount, 1);
    const tooLong = checkDraft(draft({ multi_shot: 'custom', duration: '15', shots: shots(['One', '10'], ['Two', '10']) }));
    assert.equal(tooLong.problems.shots, 'The shots add up to 20 s; a video is 3 to 15 s: change the shots.');
  });

  it('puts a shot\'s own problem on that shot', () => {
    const check = checkDraft(draft({ multi_shot: 'custom', duration: '5', shots: shots(['ok', '2'], ['z'.repeat(513), '1.5']) }));
    assert.equal(check.problems['shot.1.prompt'], 'shot prompt is 513 characters long; the limit is 512');
    assert.equal(check.problems['shot.1.duration'], 'shot duration must be a whole number of seconds, at least 1; got 1.5');
    assert.equal(check.problems['shot.0.prompt'], undefined);
    assert.deepEqual(check.shotTotal, { seconds: 2, complete: false });
  });

  it('"my shots" with no shot asks for one, in the storyboard schema\'s words', () => {
    const check = checkDraft(draft({ multi_shot: 'custom', shots: [] }));
    assert.equal(check.problems.shots, 'shots needs at least one shot (or use "auto")');
    assert.equal(check.request, undefined);
  });

  it('keeps the shot list while multi-shot is off, and sends none of it', () => {
    const check = checkDraft(draft({ multi_shot: 'off', shots: shots(['kept', '99']) }));
    assert.equal(check.problemCount, 0);
    assert.deepEqual(check.request?.model_params, { watermark_info: { enabled: false } });
  });

  it('sends the watermark choice either way, and trims the prompt it sends', () => {
    assert.deepEqual(checkDraft(draft({ watermark: true })).request?.model_params, { watermark_info: { enabled: true } });
    assert.equal(checkDraft(draft({ prompt: '  A fox  \n' })).request?.prompt, 'A fox');
  });
});

describe('composer form: the buttons', () => {
  it('"my shots" starts with one shot as long as the video', () => {
    const next = setMultiShot(draft({ duration: '8' }), 'custom');
    assert.deepEqual(next.shots, shots(['', '8']));
    assert.equal(setMultiShot(next, 'off').shots.length, 1, 'switching off keeps the shots');
    assert.deepEqual(setMultiShot({ ...next, multi_shot: 'off' }, 'custom').shots, next.shots, 'switching back finds them');
  });

  it('a new shot takes the seconds the others leave, at least 1, and there are at most 6', () => {
    let d = draft({ multi_shot: 'custom', duration: '10', shots: shots(['a', '4']) });
    d = addShot(d);
    assert.equal(d.shots[1]!.duration, '6');
    d = addShot(d);
    assert.equal(d.shots[2]!.duration, '1');
    for (let i = 0; i < 10; i++) d = addShot(d);
    assert.equal(d.shots.length, 6);
  });

  it('moves, edits and removes shots, and ignores moves off either end', () => {
    let d = draft({ multi_shot: 'custom', shots: shots(['a', '1'], ['b', '2'], ['c', '3']) });
    d = moveShot(d, 2, -1);
    assert.deepEqual(d.shots.map((s) => s.prompt), ['a', 'c', 'b']);
    assert.equal(moveShot(d, 0, -1), d);
    assert.equal(moveShot(d, 2, 1), d);
    d = updateShot(d, 1, { prompt: 'C' });
    d = removeShot(d, 0);
    assert.deepEqual(d.shots, shots(['C', '3'], ['b', '2']));
  });

  it('offers to set the duration to the shots\' total only when that total is a valid duration', () => {
    const d = draft({ multi_shot: 'custom', duration: '5', shots: shots(['a', '4'], ['b', '3']) });
    assert.equal(durationFromShots(d), 7);
    const fixed = setDurationToShots(d);
    assert.equal(fixed.duration, '7');
    assert.equal(checkDraft(fixed).problemCount, 0);
    assert.equal(durationFromShots(fixed), undefined, 'nothing to set once they agree');
    assert.equal(durationFromShots({ ...d, shots: shots(['a', '10'], ['b', '10']) }), undefined, '20 s is not a duration');
    assert.equal(durationFromShots({ ...d, shots: shots(['a', '4'], ['b', '']) }), undefined, 'not while a shot has no duration');
  });
});

describe('composer form: from a storyboard video', () => {
  it('round-trips a spec: the draft of a storyboard video builds that video\'s request', () => {
    const video = { name: 'teaser', prompt: 'Product reveal', duration: 10, shots: [{ prompt: 'a', duration: 4 }, { prompt: 'b', duration: 6 }] };
    const defaults = { quality: '1080p' as const, sound: 'on' as const, negative_prompt: 'blurry' };
    const spec = specFromStoryboardVideo(video, defaults);
    const d = draftFromSpec(spec);
    assert.equal(d.multi_shot, 'custom');
    assert.equal(d.quality, '1080p');
    assert.equal(d.negative_prompt, 'blurry');
    const check = checkDraft(d);
    assert.deepEqual(check.request, buildVideoRequest(spec));
    assert.deepEqual(composerSpec(check.video!).shots, video.shots);
  });

  it('draftToVideo is a storyboard video without a name', () => {
    assert.deepEqual(draftToVideo(draft({ negative_prompt: 'text', multi_shot: 'auto', watermark: true })), {
      prompt: 'A red kite over green hills',
      negative_prompt: 'text',
      duration: 5,
      shots: 'auto',
      aspect_ratio: '16:9',
      quality: '720p',
      sound: 'off',
      watermark: true,
    });
  });
});

describe('composer form: from a request that was sent', () => {
  it('loads any request the composer can make, and builds exactly that request again', () => {
    const requests = [
      buildVideoRequest({ prompt: 'A fox', duration: 7, aspect_ratio: '9:16', quality: '1080p', sound: 'on', negative_prompt: 'blur', watermark: true }),
      buildVideoRequest({ prompt: 'Three angles', duration: 9, aspect_ratio: '16:9', quality: '720p', sound: 'off', shots: 'auto' }),
      buildVideoRequest({ prompt: '', duration: 10, aspect_ratio: '1:1', quality: '720p', sound: 'off', shots: [{ prompt: 'a', duration: 4 }, { prompt: 'b', duration: 6 }] }),
    ];
    for (const request of requests) {
      const loaded = draftFromRequest(request);
      assert.ok(loaded.ok, JSON.stringify(request));
      assert.deepEqual(loaded.notes, []);
      assert.deepEqual(checkDraft(loaded.draft).request, request);
    }
  });

  it('brings back frames as their files (or links), elements by id with their names, and the callback URL', () => {
    const request = {
      model: 'kling-v3-image-to-video',
      prompt: '<<<element_1>>> turns',
      duration: 5,
      image_start: 'https://files.example/upload/1.png',
      image_end: 'https://cdn.example.com/end.png',
      callback_url: 'https://hooks.example.com/k',
      model_params: { element_list: [{ element_id: 'el-1' }] },
    };
    const loaded = draftFromRequest(request, {
      uploads: [{ field: 'image_start', source: 'assets/logo.png', url: 'https://files.example/upload/1.png' }],
      elements: [{ name: 'mascot', element_id: 'el-1', description: 'A robot' }],
    });
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.notes, []);
    assert.equal(loaded.draft.image, 'assets/logo.png', 'the file, not the link that expires');
    assert.equal(loaded.draft.end_image, 'https://cdn.example.com/end.png');
    assert.deepEqual(loaded.draft.elements, [{ kind: 'existing', name: 'mascot', element_id: 'el-1', description: 'A robot' }]);
    assert.equal(loaded.draft.callback_url, 'https://hooks.example.com/k');
    const check = checkDraft(loaded.draft, { images: { 'assets/logo.png': { ok: true, type: 'png', width: 640, height: 640, bytes: 9 } } });
    assert.equal(check.problemCount, 0, JSON.stringify(check.problems));
    assert.equal(check.total?.newElements, 0, 'an element that exists costs nothing more');
  });

  it('says what it leaves out, and refuses what is not a video request', () => {
    const simulatorLink = { model: 'kling-v3-image-to-video', prompt: 'It turns', duration: 5, image_start: 'http://127.0.0.1:4000/files/uploads/a.png' };
    const loaded = draftFromRequest(simulatorLink);
    assert.ok(loaded.ok);
    assert.equal(loaded.draft.prompt, 'It turns');
    assert.equal(loaded.draft.image, undefined);
    assert.deepEqual(loaded.notes.map((n) => n.split('(')[0]), ['Its first frame was a link the composer cannot use again ']);
    const element = draftFromRequest({ model: 'kling-custom-element', model_params: {} });
    assert.equal(element.ok, false);
    assert.match(!element.ok ? element.problem : '', /^its request is not one the composer knows \(model: model must be one of/);
    assert.equal(draftFromRequest(undefined).ok, false);
  });
});

describe('composer form: frames and elements', () => {
  const good = { ok: true as const, type: 'png' as const, width: 640, height: 640, bytes: 1000 };

  it('a first frame makes an image-to-video request; the local image waits for the host\'s verdict', () => {
    const waiting = checkDraft(draft({ image: 'assets/logo.png' }));
    assert.equal(waiting.problems.image, 'Checking the first frame…');
    assert.equal(waiting.request, undefined);
    const checked = checkDraft(draft({ image: 'assets/logo.png' }), { images: { 'assets/logo.png': good } });
    assert.equal(checked.problemCount, 0);
    assert.equal(checked.imageToVideo, true);
    assert.equal(checked.request?.model, 'kling-v3-image-to-video');
    assert.equal(checked.request?.image_start, 'https://local.invalid/assets%2Flogo.png', 'a stand-in until the host uploads it');
    assert.equal(checkDraft(draft({ image: 'https://cdn.example.com/a.png' })).request?.image_start, 'https://cdn.example.com/a.png', 'a link needs no verdict');
  });

  it('shows the rule an image breaks at its field, and a last frame alone at the last frame', () => {
    const bad = checkDraft(draft({ image: 'small.png' }), { images: { 'small.png': { ok: false, problem: 'small.png is 200×200; the short side must be at least 300 px' } } });
    assert.equal(bad.problems.image, 'small.png is 200×200; the short side must be at least 300 px');
    const alone = checkDraft(draft({ end_image: 'https://cdn.example.com/e.png' }));
    assert.equal(alone.problems.end_image, 'A last frame needs a first frame: set the first frame too, or remove the last one.');
    assert.equal(alone.request, undefined);
  });

  it('an element the prompt names must be in the list, in order; the price counts each element to create', () => {
    const mascot = { kind: 'storyboard' as const, name: 'mascot', file: 'boards/a.kling.json' };
    const missing = checkDraft(draft({ prompt: '<<<element_2>>> waves', elements: [mascot] }));
    assert.equal(missing.problems.elements, 'The prompt names <<<element_2>>>, but the video has one element: add one below, or change the prompt.');
    const fine = checkDraft(draft({ prompt: '<<<element_1>>> waves', elements: [mascot] }), { newElements: [true] });
    assert.equal(fine.problemCount, 0);
    assert.deepEqual(fine.request?.model_params?.element_list, [{ element_id: 'element:mascot' }]);
    assert.equal(formatAmount(fine.total!.credits), '28', '27 for the video, 1 for the element');
    assert.equal(formatUsd(fine.total!.usd), '$0.389');
    const made = checkDraft(draft({ prompt: '<<<element_1>>> waves', elements: [mascot] }), { newElements: [false] });
    assert.equal(formatAmount(made.total!.credits), '27');
  });

  it('an element defined here needs a name, a front view and 1 to 3 more, within the limits', () => {
    const element = { kind: 'new' as const, name: '', description: 'x'.repeat(101), frontal_image: '', refer_images: [] };
    const check = checkDraft(draft({ elements: [element] }));
    assert.equal(check.problems['element.0'], 'Name the element (it is how the service lists it).');
    const named = checkDraft(draft({ elements: [{ ...element, name: 'a-very-long-element-name' }] }));
    assert.equal(named.problems['element.0'], 'element name is 24 characters long; the limit is 20');
    const complete = { kind: 'new' as const, name: 'mascot', description: 'A robot', frontal_image: 'f.png', refer_images: ['r.png'] };
    assert.equal(checkDraft(draft({ elements: [complete] }), { images: { 'f.png': good, 'r.png': good } }).problemCount, 0);
    assert.equal(checkDraft(draft({ elements: [complete] })).problems['element.0'], 'Checking the image of element 1…');
  });

  it('checks a callback URL as storyboards do', () => {
    assert.match(checkDraft(draft({ callback_url: 'https://[::ffff:127.0.0.1]/' })).problems.callback_url!, /IPv4-mapped 127\.0\.0\.1/);
    assert.equal(checkDraft(draft({ callback_url: 'https://hooks.example.com/k' })).request?.callback_url, 'https://hooks.example.com/k');
  });

  it('inserts <<<element_N>>> at the caret, with spaces where words would run into it', () => {
    assert.equal(elementToken(0), '<<<element_1>>>');
    assert.deepEqual(insertToken('A waves', 1, 1, '<<<element_1>>>'), { text: 'A <<<element_1>>> waves', caret: 17 });
    assert.deepEqual(insertToken('', 0, 0, '<<<element_2>>>'), { text: '<<<element_2>>>', caret: 15 });
    assert.deepEqual(insertToken('hello world', 6, 11, '<<<element_1>>>'), { text: 'hello <<<element_1>>>', caret: 21 });
  });

  it('moves, removes and edits elements; the list order is the prompt\'s numbering', () => {
    const a = { kind: 'storyboard' as const, name: 'a', file: 'f' };
    const b = { kind: 'storyboard' as const, name: 'b', file: 'f' };
    const d = addElement(addElement(draft(), a), b);
    assert.deepEqual(moveElement(d, 1, -1).elements.map((e) => e.name), ['b', 'a']);
    assert.deepEqual(removeElement(d, 0).elements.map((e) => e.name), ['b']);
    const withNew = addElement(d, newElement());
    assert.deepEqual(updateElement(withNew, 2, { name: 'c', refer_images: ['x.png'] }).elements[2], { kind: 'new', name: 'c', description: '', frontal_image: '', refer_images: ['x.png'] });
    assert.deepEqual(updateElement(withNew, 0, { name: 'no' }), withNew, 'a storyboard\'s element is edited in its storyboard');
  });
});
