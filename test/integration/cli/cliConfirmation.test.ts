/** The `kling render` confirmation says what leaves this machine: the images it uploads or sends, and any callback_url. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pngBytes } from '../../helpers/images';
import { cliWorkspace, runKling } from '../../helpers/cliRun';

const LIMIT = { timeout: 60_000 };

const BOARD = `{
  "version": 1,
  "output": "out",
  "defaults": { "callback_url": "https://hooks.example.com/kling" },
  "videos": [
    { "name": "spin", "prompt": "The logo turns", "image": "assets/logo.png", "end_image": "https://cdn.example.com/end.png", "duration": 3, "aspect_ratio": "1:1" },
    { "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["mascot"], "duration": 3 }
  ],
  "elements": [ { "name": "mascot", "description": "A round robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ]
}
`;

const EXPECTED = [
  'Images sent:',
  '· assets/front.png (uploaded from this machine): front image of element "mascot"',
  '· assets/side.png (uploaded from this machine): reference image of element "mascot"',
  '· assets/logo.png (uploaded from this machine): first frame of spin',
  '· https://cdn.example.com/end.png: last frame of spin',
  'The service will post each result to https://hooks.example.com/kling (callback_url of spin, wave)',
].join('\n');

function workspace() {
  const ws = cliWorkspace('cli-confirm');
  mkdirSync(path.join(ws.dir, 'assets'));
  writeFileSync(path.join(ws.dir, 'assets', 'logo.png'), pngBytes(640, 640));
  writeFileSync(path.join(ws.dir, 'assets', 'front.png'), pngBytes(400, 600));
  writeFileSync(path.join(ws.dir, 'assets', 'side.png'), pngBytes(500, 500));
  writeFileSync(path.join(ws.dir, 's.kling.json'), BOARD);
  return ws;
}

describe('kling render: the confirmation lists what will be sent', () => {
  it('with --yes: the images (uploaded or linked) and the callback_url, before the spending line', LIMIT, async () => {
    const ws = workspace();
    const run = await runKling(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const listed = run.stdout.indexOf(EXPECTED);
    assert.ok(listed >= 0, run.stdout);
    assert.ok(listed < run.stdout.indexOf('Rendering 2 videos and 1 element on the simulator.'), 'listed before anything is sent');
  });

  it('without a terminal and without --yes: the same list, then the refusal; nothing is created', LIMIT, async () => {
    const ws = workspace();
    const run = await runKling(['render', 's.kling.json', '--simulator'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 3);
    assert.ok(run.stdout.includes(EXPECTED), run.stdout);
    assert.match(run.stderr, /Not without a terminal to ask on: add --yes/);
  });

  it('a storyboard of words only lists nothing', LIMIT, async () => {
    const ws = cliWorkspace('cli-confirm-plain');
    writeFileSync(path.join(ws.dir, 's.kling.json'), '{ "version": 1, "output": "out", "videos": [ { "name": "a", "prompt": "A dog", "duration": 3 } ] }\n');
    const run = await runKling(['render', 's.kling.json', '--simulator'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 3);
    assert.doesNotMatch(run.stdout, /Images? sent|will post/);
  });
});
