import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { videoRecipe } from '../../../../src/core/preview/videoRecipe';
import { aSidecar, TWO_SHOT_REQUEST } from '../../../helpers/sidecars';

const video = path.join('/work', 'site', 'media', 'videos', 'trailer.mp4');

describe('videoRecipe', () => {
  it('shows a single-prompt video as it was requested and paid for', () => {
    const recipe = videoRecipe(aSidecar({ request: { ...aSidecar().request, negative_prompt: 'blurry, text' } }), video);
    assert.equal(recipe.title, 'A red kite over green hills');
    assert.equal(recipe.prompt, 'A red kite over green hills');
    assert.equal(recipe.negativePrompt, 'blurry, text');
    assert.deepEqual(recipe.shots, []);
    assert.equal(recipe.shotsPlannedByModel, false);
    assert.deepEqual([recipe.durationSeconds, recipe.aspectRatio, recipe.quality, recipe.sound], [5, '16:9', '720p', 'off']);
    assert.deepEqual(recipe.price, { usd: '$0.375', credits: '27', reportedCredits: 27 });
    assert.equal(recipe.taskId, 'task-unified-1764000000-abcd1234');
    assert.equal(recipe.simulated, true);
    assert.equal(recipe.storyboard, undefined);
  });

  it('places our own shots on the time line, each starting where the one before ended', () => {
    const recipe = videoRecipe(aSidecar({ request: TWO_SHOT_REQUEST, label: 'trailer' }), video);
    assert.equal(recipe.prompt, undefined, 'an empty top-level prompt is not shown');
    assert.deepEqual(recipe.shots, [
      { index: 1, prompt: 'A person on a hilltop at dawn', startSeconds: 0, endSeconds: 4 },
      { index: 2, prompt: 'The camera pulls back to reveal the city', startSeconds: 4, endSeconds: 10 },
    ]);
    assert.equal(recipe.durationSeconds, 10);
    assert.equal(recipe.quality, '1080p');
  });

  it('says when the model planned the shots, with no times to show', () => {
    const request = { ...aSidecar().request, duration: 9, model_params: { multi_shot: true, shot_type: 'intelligence' } };
    const recipe = videoRecipe(aSidecar({ request }), video);
    assert.equal(recipe.shotsPlannedByModel, true);
    assert.deepEqual(recipe.shots, []);
  });

  it('resolves the storyboard from the sidecar folder, as the sidecar records it relative', () => {
    const recipe = videoRecipe(aSidecar({ storyboard: '../../site.kling.json', video: 'trailer' }), video);
    assert.deepEqual(recipe.storyboard, { path: path.join('/work', 'site', 'site.kling.json'), relativePath: '../../site.kling.json', video: 'trailer' });
  });

  it('fills what a hand-edited request leaves out with the service defaults, and skips shots it cannot read', () => {
    const recipe = videoRecipe(
      aSidecar({
        label: undefined,
        video: undefined,
        request: { model: 'kling-v3-image-to-video', prompt: 'spin', image_start: 'https://x.example/a.png', model_params: { multi_prompt: [{ prompt: 'x', duration: 'soon' }, 'junk'], element_list: [{ element_id: 'e1' }], watermark_info: { enabled: true } } },
        price: { estimated: { usd: '1.1', credits: '79.2', seconds: 10 } },
      }),
      video,
    );
    assert.equal(recipe.title, 'trailer.mp4');
    assert.deepEqual([recipe.durationSeconds, recipe.aspectRatio, recipe.quality, recipe.sound], [5, '16:9', '720p', 'off']);
    assert.deepEqual(recipe.shots, []);
    assert.equal(recipe.imageStart, 'https://x.example/a.png');
    assert.equal(recipe.elementCount, 1);
    assert.equal(recipe.watermark, true);
    assert.deepEqual(recipe.price, { usd: '$1.10', credits: '79.2', reportedCredits: undefined });
  });

  it('shows the frames with the workspace file each was uploaded from, and the elements by name in the prompt\'s order', () => {
    const request = {
      model: 'kling-v3-image-to-video',
      prompt: '<<<element_1>>> meets <<<element_2>>>',
      image_start: 'http://127.0.0.1:9/files/u1',
      image_end: 'https://cdn.example/end.png',
      model_params: { element_list: [{ element_id: 'el-1' }, { element_id: 'el-2' }] },
    };
    const upload = { field: 'image_start', source: 'art/first.png', sha256: 'ab', url: 'http://127.0.0.1:9/files/u1', expiresAt: '2026-12-05T00:00:00Z', uploadedTo: 'sim' };
    const recipe = videoRecipe(aSidecar({ request, uploads: [upload], elements: [{ name: 'mia', element_id: 'el-1', description: 'A girl', frontal_image: 'cast/mia.png' }] }), video);
    assert.deepEqual(recipe.frames, [
      { role: 'First frame', url: 'http://127.0.0.1:9/files/u1', source: 'art/first.png' },
      { role: 'Last frame', url: 'https://cdn.example/end.png', source: undefined },
    ]);
    assert.deepEqual(recipe.elements, [
      { token: '<<<element_1>>>', name: 'mia', elementId: 'el-1', description: 'A girl', frontalImage: 'cast/mia.png' },
      { token: '<<<element_2>>>', name: undefined, elementId: 'el-2', description: undefined, frontalImage: undefined },
    ]);
  });
});
