import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { posterPathOf, videoSnippet } from '../../../../src/core/preview/videoSnippet';

const root = path.resolve('/work/site');

describe('videoSnippet: the <video> element Copy HTML copies', () => {
  it('a video in public/: src and poster from the site\'s root, its own width and height, autoplay muted loop playsinline', () => {
    const snippet = videoSnippet({ videoPath: path.join(root, 'web', 'public', 'videos', 'hero.mp4'), workspaceRoot: root, width: 1280, height: 720, hasPoster: true });
    assert.equal(snippet.html, '<video src="/videos/hero.mp4" poster="/videos/hero.jpg" width="1280" height="720" autoplay muted loop playsinline></video>');
    assert.deepEqual(snippet.base, { kind: 'public', folder: 'web/public' });
  });

  it('static/ is a served folder too; the outermost one counts', () => {
    assert.equal(videoSnippet({ videoPath: path.join(root, 'static', 'clip.mp4'), workspaceRoot: root, width: 720, height: 1280, hasPoster: false }).src, '/clip.mp4');
    assert.equal(videoSnippet({ videoPath: path.join(root, 'public', 'static', 'clip.mp4'), workspaceRoot: root, width: 720, height: 1280, hasPoster: false }).src, '/static/clip.mp4');
  });

  it('elsewhere in the workspace: src relative to it; no poster without <name>.jpg; no size when unknown', () => {
    const snippet = videoSnippet({ videoPath: path.join(root, 'kling-videos', 'a dog & a cat.mp4'), workspaceRoot: root, width: 0, height: 0, hasPoster: false });
    assert.equal(snippet.html, '<video src="kling-videos/a%20dog%20%26%20a%20cat.mp4" autoplay muted loop playsinline></video>');
    assert.equal(snippet.poster, undefined);
    assert.deepEqual(snippet.base, { kind: 'workspace' });
  });

  it('a folder named public that is the file itself, or outside the workspace, is not a served folder', () => {
    assert.equal(videoSnippet({ videoPath: path.join(root, 'out', 'public.mp4'), workspaceRoot: root, width: 1, height: 1, hasPoster: false }).src, 'out/public.mp4');
    const outside = videoSnippet({ videoPath: path.resolve('/elsewhere/public/x.mp4'), workspaceRoot: root, width: 1, height: 1, hasPoster: true });
    assert.equal(outside.src, 'x.mp4');
    assert.equal(outside.poster, 'x.jpg');
    assert.deepEqual(outside.base, { kind: 'file' });
  });

  it('the poster is <name>.jpg beside the video', () => {
    assert.equal(posterPathOf(path.join(root, 'v', 'hero.mp4')), path.join(root, 'v', 'hero.jpg'));
  });
});
