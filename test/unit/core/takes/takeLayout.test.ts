import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { chosenPathOf, takeFileName, takePathOf, takesDirOf, videoPathOfTake } from '../../../../src/core/takes/takeLayout';

describe('take names', () => {
  it('names a take by when its task was journaled (UTC) and the end of its task id, so names sort oldest first', () => {
    const created = Date.UTC(2026, 11, 2, 17, 22, 6, 81);
    assert.equal(takeFileName(created, 'task-unified-1796232126-ojs98ylc'), '20261202-172206-ojs98ylc.mp4');
    const earlier = takeFileName(Date.UTC(2026, 11, 2, 9, 5, 0), 'task-unified-1796202300-zz000001');
    assert.ok(earlier < takeFileName(created, 'task-unified-1796232126-aa000000'), 'the earlier take sorts first');
  });

  it('keeps only letters and digits of an id of another shape', () => {
    assert.equal(takeFileName(Date.UTC(2026, 0, 1), 'Task/ID:42'), '20260101-000000-taskid42.mp4');
  });

  it('puts the takes of <output>/hero.mp4 in <output>/.takes/hero/', () => {
    const video = path.join('/w', 'media', 'videos', 'hero.mp4');
    assert.equal(takesDirOf(video), path.join('/w', 'media', 'videos', '.takes', 'hero'));
    assert.equal(takePathOf(video, Date.UTC(2026, 11, 2, 17, 22, 6), 'task-unified-1-abcd1234'), path.join('/w', 'media', 'videos', '.takes', 'hero', '20261202-172206-abcd1234.mp4'));
  });

  it('finds the video of a take, and takes any other file for the video itself', () => {
    const take = path.join('/w', 'out', '.takes', 'launch-trailer', '20261202-172206-abcd1234.mp4');
    assert.equal(videoPathOfTake(take), path.join('/w', 'out', 'launch-trailer.mp4'));
    assert.equal(chosenPathOf(take), path.join('/w', 'out', 'launch-trailer.mp4'));
    const video = path.join('/w', 'out', 'hero.mp4');
    assert.equal(videoPathOfTake(video), undefined);
    assert.equal(chosenPathOf(video), video);
    assert.equal(videoPathOfTake(path.join('/w', 'out', '.takes', 'hero', 'notes.txt')), undefined);
  });
});
