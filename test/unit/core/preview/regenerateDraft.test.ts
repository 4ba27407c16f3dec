import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { regenerateDraft } from '../../../../src/core/preview/regenerateDraft';
import { aSidecar, TWO_SHOT_REQUEST } from '../../../helpers/sidecars';

describe('regenerateDraft', () => {
  it('sends the same request again, priced with the table of today, as a new take of the same video', () => {
    const video = path.join('/w', 'kling-videos', 'a-red-kite-over-green-hills-20261125-100102.mp4');
    // The sidecar remembers an older, different price: the new task is priced as it will be charged now.
    const result = regenerateDraft(aSidecar({ price: { estimated: { usd: '9', credits: '9', seconds: 5 } } }), video);
    assert.ok(result.ok);
    assert.deepEqual(result.draft.request, aSidecar().request);
    assert.equal(result.draft.requestHash, aSidecar().requestHash);
    assert.deepEqual(result.draft.price, { seconds: 5, usd: '0.375', credits: '27' });
    assert.equal(result.draft.label, 'A red kite over green hills');
    assert.equal(result.videoPath, video);
    assert.equal(result.draft.outputPath, video, 'a take of this video, not a new file beside it');
    assert.equal(result.draft.keepChosen, true, 'the video in use stays until the user chooses');
    assert.equal(result.draft.storyboardPath, undefined);
  });

  it("makes another take of a storyboard's video, under its storyboard", () => {
    const video = path.join('/w', 'site', 'videos', 'trailer.mp4');
    const result = regenerateDraft(aSidecar({ request: TWO_SHOT_REQUEST, storyboard: '../site.kling.json', video: 'trailer', label: 'trailer' }), video);
    assert.ok(result.ok);
    assert.equal(result.draft.outputPath, video);
    assert.equal(result.draft.storyboardPath, path.join('/w', 'site', 'site.kling.json'));
    assert.equal(result.draft.videoName, 'trailer');
    assert.deepEqual(result.draft.price, { seconds: 10, usd: '1', credits: '71.982' });
  });

  it('regenerating a take makes a take of its video (the sidecar of a take names the storyboard from its own folder)', () => {
    const take = path.join('/w', 'site', 'videos', '.takes', 'trailer', '20261125-100000-abcd1234.mp4');
    const result = regenerateDraft(aSidecar({ request: TWO_SHOT_REQUEST, storyboard: '../../../site.kling.json', video: 'trailer' }), take);
    assert.ok(result.ok);
    assert.equal(result.videoPath, path.join('/w', 'site', 'videos', 'trailer.mp4'));
    assert.equal(result.draft.outputPath, path.join('/w', 'site', 'videos', 'trailer.mp4'));
    assert.equal(result.draft.storyboardPath, path.join('/w', 'site', 'site.kling.json'));
  });

  it('refuses a request the API would refuse, saying which field to fix', () => {
    const result = regenerateDraft(aSidecar({ request: { ...aSidecar().request, duration: 42 } }), path.join('/w', 'x.mp4'));
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, 'The recipe in x.mp4.json cannot be sent again: request.duration: duration must be a whole number of seconds from 3 to 15.');
  });

  it('refuses an element request: a sidecar is for videos', () => {
    const result = regenerateDraft(aSidecar({ request: { model: 'kling-custom-element' } }), path.join('/w', 'x.mp4'));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.problem : '', /request\.model: model must be one of kling-v3-text-to-video, kling-v3-image-to-video/);
  });
});
