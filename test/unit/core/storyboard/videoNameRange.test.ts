import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { videoNameRange } from '../../../../src/core/storyboard/videoNameRange';

const storyboard = `{
  // two videos
  "version": 1,
  "videos": [
    { "name": "hero", "prompt": "A dog named \\"trailer\\"" },
    {
      "prompt": "The city",
      "name": "trailer",
    },
  ]
}
`;

describe('videoNameRange', () => {
  it("finds the characters of a video's name, in a file with comments and trailing commas", () => {
    const range = videoNameRange(storyboard, 'trailer');
    assert.ok(range);
    assert.equal(storyboard.slice(range.offset, range.offset + range.length), 'trailer');
    assert.equal(storyboard.slice(0, range.offset).split('\n').length, 8, 'on the line of the second video\'s "name"');
  });

  it('finds the first video too, not a prompt that mentions the name', () => {
    const range = videoNameRange(storyboard, 'hero');
    assert.ok(range);
    assert.equal(storyboard.slice(range.offset - 9, range.offset + range.length + 1), '"name": "hero"');
  });

  it('is undefined for a name no video has, or a file without videos', () => {
    assert.equal(videoNameRange(storyboard, 'teaser'), undefined);
    assert.equal(videoNameRange('{ "version": 1 }', 'hero'), undefined);
    assert.equal(videoNameRange('not json at all', 'hero'), undefined);
  });
});
