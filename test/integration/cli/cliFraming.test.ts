/**
 * The framing guard through the built CLI: a frame whose shape is far from the video's aspect_ratio is a warning
 * (FILE:LINE:COL: warning: …, or a GitHub warning annotation), never an error: validate still passes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cliWorkspace, runKling } from '../../helpers/cliRun';
import { pngBytes } from '../../helpers/images';

describe('kling validate: the framing guard', () => {
  it('a 1920×1080 first frame of a 9:16 video: a warning at its image, exit 0; --format github makes it a warning annotation', { timeout: 60_000 }, async () => {
    const ws = cliWorkspace('framing');
    writeFileSync(path.join(ws.dir, 'wide.png'), pngBytes(1920, 1080));
    writeFileSync(
      path.join(ws.dir, 's.kling.json'),
      `{ "version": 1, "output": "out", "videos": [\n  { "name": "reel", "prompt": "A street at dusk", "aspect_ratio": "9:16", "image": "wide.png" },\n  { "name": "hero", "prompt": "The same street", "image": "wide.png" }\n] }\n`,
    );
    const run = await runKling(['validate', 's.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(
      run.stderr,
      's.kling.json:2:84: warning: image "wide.png" is 1920×1080, 216 % wider than the video\'s 9:16: the service will crop it, keeping about 32 % of its width (its sides are cut). Use an image of the video\'s shape, or change aspect_ratio\n',
    );
    assert.equal(run.stdout, 'OK s.kling.json: 2 videos, 1 warning (above)\n');

    const github = await runKling(['validate', 's.kling.json', '--format', 'github'], { cwd: ws.dir, state: ws.state });
    assert.equal(github.code, 0, github.stdout + github.stderr);
    assert.match(github.stdout, /^::warning file=s\.kling\.json,line=2,col=84,.*title=Kling storyboard%3A frame-crop::image "wide\.png" is 1920×1080, 216 %25 wider/m, 'the workflow command escapes % and :');
  });
});
