import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outlineStoryboard, videoAt } from '../../../../src/core/storyboard/storyboardOutline';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

const text = `{
  "version": 1,
  "videos": [
    { "name": "hero", "prompt": "A dog", "duration": 5 },
    { "name": "broken", "prompt": "A cat", "duration": 99 },
    { "name": "trailer", "shots": [ { "prompt": "a", "duration": 4 }, { "prompt": "b", "duration": 6 } ] }
  ]
}
`;

describe('outlineStoryboard', () => {
  it('finds each video, its name, and the problems that are its own', () => {
    const outline = outlineStoryboard(checkStoryboardText(text));
    assert.deepEqual(
      outline.videos.map((v) => [v.index, v.name, text.slice(v.nameRange!.offset, v.nameRange!.offset + v.nameRange!.length), v.errors.length]),
      [
        [0, 'hero', '"hero"', 0],
        [1, 'broken', '"broken"', 1],
        [2, 'trailer', '"trailer"', 0],
      ],
    );
    const hero = outline.videos[0]!;
    assert.equal(text.slice(hero.range.offset, hero.range.offset + hero.range.length), '{ "name": "hero", "prompt": "A dog", "duration": 5 }');
    assert.deepEqual(outline.fileErrors, []);
    assert.equal(outline.errorCount, 1);
  });

  it('can still price and render the videos without problems while another one is being fixed', () => {
    const outline = outlineStoryboard(checkStoryboardText(text));
    assert.deepEqual(
      outline.renderable?.videos.map((v) => v.name),
      ['hero', 'trailer'],
    );
  });

  it('renders nothing while something outside the videos is wrong', () => {
    const outline = outlineStoryboard(checkStoryboardText(text.replace('"version": 1', '"version": 2')));
    assert.equal(outline.fileErrors.length, 1);
    assert.equal(outline.renderable, undefined);
    assert.equal(outline.videos.length, 3, 'the videos are still found');
  });

  it('is the whole storyboard when there is no problem, and finds the video at the cursor', () => {
    const clean = text.replace('99', '5');
    const check = checkStoryboardText(clean);
    const outline = outlineStoryboard(check);
    assert.equal(outline.renderable, check.storyboard);
    assert.equal(videoAt(outline, clean.indexOf('"A cat"'))?.name, 'broken');
    assert.equal(videoAt(outline, clean.indexOf('"version"')), undefined);
  });

  it('copes with a file that is not a storyboard at all', () => {
    for (const broken of ['', '[1, 2]', '{ "videos": 3 }', '{ "videos": [ 1, { "name": 5 } ] }']) {
      const outline = outlineStoryboard(checkStoryboardText(broken));
      assert.equal(outline.renderable, undefined, broken);
      assert.ok(outline.errorCount > 0, broken);
    }
  });
});
