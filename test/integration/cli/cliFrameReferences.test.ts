/** `kling render` with a video that continues another from its last frame, and a loop: what the CLI can and cannot do without a browser. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { runCli } from '../../helpers/cliProcess';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';

const BOARD = `{ "version": 1, "output": "out",
  "videos": [
    { "name": "hero", "prompt": "A lighthouse at dusk", "image": "frame.png", "loop": true, "duration": 3, "web": true },
    { "name": "hero-on", "prompt": "The beam sweeps out to sea", "image": { "from": "hero", "frame": "last" }, "duration": 3 }
  ] }`;

describe('kling render: frames of other videos, loops', () => {
  let sim: Simulator;
  let dir: string;
  before(async () => {
    sim = await startTestSimulator();
    dir = await tempDir('cli-frames');
    writeFileSync(path.join(dir, 'frame.png'), pngBytes(1280, 720));
    writeFileSync(path.join(dir, 'board.kling.json'), BOARD);
  });
  after(async () => {
    await sim.close();
    await removeDir(dir);
  });

  const render = (...extra: string[]) => runCli(['render', 'board.kling.json', '--yes', '--base-url', sim.baseUrl, ...extra], { cwd: dir, state: path.join(dir, '.state'), env: { KLING_API_KEY: DISTINCT_KEY } });
  const sidecar = (name: string) => JSON.parse(readFileSync(path.join(dir, 'out', `${name}.mp4.json`), 'utf8')) as { request: Record<string, string>; uploads?: Array<{ field: string; source: string; url: string }> };

  it('renders the loop (its first frame sent as its last) and holds back the video that continues it, saying why', async () => {
    const run = await render('--json');
    assert.equal(run.code, 1, run.stderr + run.stdout);
    const hero = sidecar('hero');
    assert.equal(hero.request['image_end'], hero.request['image_start'], 'a loop ends on its first frame');
    assert.match(
      run.stdout + run.stderr,
      /hero-on.*not sent: it starts from the last frame of "hero", which this render makes, and taking a frame out of hero\.mp4 needs an H\.264 decoder, which the CLI does not have: render the storyboard in VS Code \(it makes "hero", takes its frame and sends this video in one render\), or once hero\.mp4 is saved open it in Kling Preview in VS Code and choose Continue from Last Frame, then render again/,
    );
    assert.equal(sim.tasks().length, 1, 'only hero was sent');
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .*\.js:\d+/, 'no stack trace');
    // "web" in the CLI: the file is fast start, the poster needs a browser's decoder, which the CLI says.
    assert.match(run.stderr, /hero: its poster hero\.jpg was not written: decoding H\.264 needs a browser; render it in VS Code, or save its first frame from Kling Preview/);
    // --json says the same per video: fast start done, no poster, and why.
    const report = JSON.parse(run.stdout) as { videos: Array<{ name: string; state: string; web?: Record<string, unknown> }> };
    assert.deepEqual(
      report.videos.map((v) => [v.name, v.state, v.web]),
      [
        ['hero', 'saved', { fastStart: true, remuxed: false, problem: 'its poster hero.jpg was not written: decoding H.264 needs a browser; render it in VS Code, or save its first frame from Kling Preview' }],
        ['hero-on', 'failed', undefined],
      ],
    );
  });

  it('then refuses it while no frame has been taken from hero.mp4 (the CLI has no H.264 decoder), with what to do', async () => {
    const tasks = sim.stats().creates;
    const run = await render();
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(run.stdout + run.stderr, /the last frame of "hero" has not been extracted yet: decoding H\.264 needs a browser, so open hero\.mp4 in Kling Preview in VS Code and choose Continue from Last Frame \(it writes hero\.last\.png beside it\), then render again/);
    assert.equal(sim.stats().creates, tasks, 'nothing created');
  });

  it('refuses a frame taken from an earlier hero.mp4, and sends one taken from this one', async () => {
    const frame = path.join(dir, 'out', 'hero.last.png');
    writeFileSync(frame, pngBytes(1280, 720));
    const record = { source: 'hero.mp4', sourceSha256: '0'.repeat(64), frame: 'last', width: 1280, height: 720 };
    writeFileSync(`${frame}.json`, JSON.stringify(record));
    const stale = await render();
    assert.equal(stale.code, 1, stale.stderr + stale.stdout);
    assert.match(stale.stdout + stale.stderr, /hero\.last\.png was taken from an earlier hero\.mp4: open hero\.mp4 in Kling Preview/);

    const sha = createHash('sha256').update(readFileSync(path.join(dir, 'out', 'hero.mp4'))).digest('hex');
    writeFileSync(`${frame}.json`, JSON.stringify({ ...record, sourceSha256: sha }));
    const run = await render();
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const next = sidecar('hero-on');
    assert.equal(next.request['model'], 'kling-v3-image-to-video');
    assert.deepEqual(next.uploads?.map((u) => [u.field, u.source, u.url]), [['image_start', 'out/hero.last.png', next.request['image_start']]]);

    const again = await render();
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /^hero-on\s.*up to date$/m, 'the frame file enters the hash through hero.mp4: stable');
  });
});
