import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { claimFile, videoClaimRef } from '../../../src/core/claims/claimStore';
import { relativeFromVideo } from '../../../src/core/download/sidecar';
import { storyboardOutputDir } from '../../../src/core/storyboard/storyboardFiles';

// Paths as Windows spells them (drive letters, backslashes): output folders, the storyboard a sidecar names, and where
// a claim lives. Containment itself is tested with path.win32 in fs/workspaceBoundary.test.ts.

const w = path.win32;

describe('Windows paths', () => {
  it("a storyboard's output folder, from `output` or from the file's name", () => {
    assert.equal(storyboardOutputDir('C:\\Work\\site\\boards\\launch.kling.json', { output: 'media/videos' }, w), 'C:\\Work\\site\\boards\\media\\videos');
    assert.equal(storyboardOutputDir('C:\\Work\\site\\boards\\launch.kling.json', { output: '..\\public\\clips' }, w), 'C:\\Work\\site\\public\\clips');
    assert.equal(storyboardOutputDir('D:\\repo\\launch.kling.json', {}, w), 'D:\\repo\\launch');
  });

  it('a sidecar names its storyboard with forward slashes, so it stays true in a clone on any system', () => {
    assert.equal(relativeFromVideo('C:\\Work\\site\\media\\videos\\hero.mp4', 'C:\\Work\\site\\boards\\launch.kling.json', w), '../../boards/launch.kling.json');
    assert.equal(relativeFromVideo('C:\\Work\\site\\hero.mp4', 'C:\\Work\\site\\launch.kling.json', w), 'launch.kling.json');
  });

  it('a claim lives beside its video, hidden, in the same folder', () => {
    const ref = videoClaimRef('C:\\Work\\site\\media\\hero.mp4', 'sha256:0123456789abcdef99', { kind: 'simulator' }, 1, w);
    assert.equal(ref.dir, 'C:\\Work\\site\\media');
    assert.equal(claimFile(ref, w), 'C:\\Work\\site\\media\\.hero.mp4.sim.0123456789abcdef.claim');
    const second = videoClaimRef('C:\\Work\\site\\media\\hero.mp4', 'sha256:0123456789abcdef99', { kind: 'simulator' }, 2, w);
    assert.equal(claimFile(second, w), 'C:\\Work\\site\\media\\.hero.mp4.take2.sim.0123456789abcdef.claim', 'a second take, beside the first');
  });
});
