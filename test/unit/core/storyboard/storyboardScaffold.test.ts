import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storyboardScaffold } from '../../../../src/core/storyboard/storyboardScaffold';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';

describe('storyboardScaffold', () => {
  it('is a valid storyboard as it is, with comments and a video of each kind that needs no file', () => {
    const check = checkStoryboardText(storyboardScaffold());
    assert.deepEqual(check.problems.map((p) => p.message), []);
    const videos = check.storyboard!.videos;
    assert.deepEqual(
      videos.map((v) => v.name),
      ['hero', 'trailer', 'teaser'],
    );
    assert.ok(Array.isArray(videos[1]!.shots), 'a multi-shot video with its own shots');
    assert.equal(videos[2]!.shots, 'auto');
    assert.match(storyboardScaffold(), /^\/\/ /m);
  });

  it('stays valid, with the image-to-video and element examples too, once their // are removed', () => {
    const uncommented = storyboardScaffold().replace(/^(\s*)\/\/ ?(?=[{"\]]|\s+\{)/gm, '$1');
    const check = checkStoryboardText(uncommented);
    assert.deepEqual(check.problems.map((p) => p.message), []);
    const videos = check.storyboard!.videos;
    assert.deepEqual(
      videos.map((v) => v.name),
      ['hero', 'trailer', 'teaser', 'logo-spin', 'mascot-wave'],
    );
    assert.equal(videos[3]!.image, 'assets/logo.png');
    assert.deepEqual(videos[4]!.elements, ['mascot']);
    assert.equal(check.storyboard!.output, 'media/videos');
    assert.equal(check.storyboard!.elements?.[0]?.name, 'mascot');
  });
});
