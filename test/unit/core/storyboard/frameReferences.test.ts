import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

// Frame references (`"image": { "from": "hero", "frame": "last" }`) and "loop": docs/storyboard-format.md.

const board = (videos: object[]) => JSON.stringify({ version: 1, videos }, null, 2);
const problems = (videos: object[]) => checkStoryboardText(board(videos)).problems.map((p) => ({ code: p.code, message: p.message, path: p.path.join('.') }));

describe('frame references in a storyboard', () => {
  it('accepts a video that continues another from its last frame, and one that ends on another\'s first', () => {
    const check = checkStoryboardText(
      board([
        { name: 'hero', prompt: 'A dog runs' },
        { name: 'hero-2', prompt: 'The dog stops', image: { from: 'hero', frame: 'last' } },
        { name: 'back', prompt: 'Back to the start', image: 'a.png', end_image: { from: 'hero', frame: 'first' } },
      ]),
    );
    assert.deepEqual(check.problems.map((p) => p.message), []);
    assert.deepEqual(check.storyboard?.videos[1]?.image, { from: 'hero', frame: 'last' });
  });

  it('refuses a source that is not a video of the file, with the name it probably meant', () => {
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A dog' }, { name: 'next', prompt: 'More', image: { from: 'heroo', frame: 'last' } }]), [
      { code: 'unknown-frame-source', message: 'there is no video "heroo" in this file to take a frame from: did you mean "hero"?', path: 'videos.1.image.from' },
    ]);
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A dog' }, { name: 'next', prompt: 'More', image: { from: 'zzzzzz', frame: 'last' } }]), [
      { code: 'unknown-frame-source', message: 'there is no video "zzzzzz" in this file to take a frame from; its videos: hero, next', path: 'videos.1.image.from' },
    ]);
  });

  it('refuses a video that takes a frame from itself', () => {
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A dog', image: 'a.png', end_image: { from: 'hero', frame: 'first' } }]), [
      { code: 'frame-self-reference', message: 'video "hero" cannot take its last frame from itself: name another video, or give an image', path: 'videos.0.end_image.from' },
    ]);
  });

  it('refuses a circle of references once, spelled out, at the first video of the circle', () => {
    assert.deepEqual(
      problems([
        { name: 'a', prompt: 'A', image: { from: 'c', frame: 'last' } },
        { name: 'b', prompt: 'B', image: { from: 'a', frame: 'last' } },
        { name: 'c', prompt: 'C', image: { from: 'b', frame: 'last' } },
        { name: 'd', prompt: 'D', image: { from: 'a', frame: 'last' } },
      ]),
      [
        {
          code: 'frame-cycle',
          message: 'these videos take frames from each other in a circle, so none can be rendered first: "a" → "c" → "b" → "a"; start one of them from an image instead',
          path: 'videos.0.image.from',
        },
      ],
    );
    assert.equal(checkStoryboardText(board([{ name: 'a', prompt: 'A', image: { from: 'b', frame: 'first' } }, { name: 'b', prompt: 'B', image: { from: 'a', frame: 'last' } }])).storyboard, undefined);
  });

  it('says what a frame reference must look like when its shape is wrong', () => {
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A' }, { name: 'next', prompt: 'B', image: { from: 'hero', frame: 'middle' } }]), [
      { code: 'schema', message: 'frame must be one of "first", "last"; got "middle"', path: 'videos.1.image.frame' },
    ]);
    assert.deepEqual(problems([{ name: 'next', prompt: 'B', image: 42 }]).map((p) => p.message), [
      'image must be a path relative to this file, an https URL, or a frame of another video such as { "from": "hero", "frame": "last" }; got 42',
    ]);
  });
});

describe('"loop" in a storyboard', () => {
  it('is allowed on an image-to-video video', () => {
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A', image: 'a.png', loop: true }]), []);
  });

  it('needs an image, and no end_image of its own', () => {
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A', loop: true }]), [
      { code: 'loop-frames', message: 'video "hero" has "loop": true but no image: a loop starts and ends on its first frame, so it needs "image"', path: 'videos.0.loop' },
    ]);
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A', image: 'a.png', end_image: 'b.png', loop: true }]), [
      { code: 'loop-frames', message: 'video "hero" has "loop": true and an end_image: a loop ends on its first frame; remove end_image or "loop"', path: 'videos.0.end_image' },
    ]);
  });

  it('and "web" are true or false, in defaults and per video', () => {
    assert.deepEqual(checkStoryboardText(JSON.stringify({ version: 1, defaults: { web: true }, videos: [{ name: 'a', prompt: 'A', web: false }] })).problems, []);
    assert.deepEqual(problems([{ name: 'hero', prompt: 'A', image: 'a.png', loop: 'yes' }]).map((p) => p.message), ['loop must be true or false; got "yes"']);
  });
});
