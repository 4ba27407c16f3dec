/** `kling render` with a first frame and an element: the table it prints, what it charges, and uploads reused across runs. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { runCli } from '../../helpers/cliProcess';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';

const board = (wave: string, spin = 'The logo turns') => `{ "version": 1, "output": "out",
  "videos": [
    { "name": "spin", "prompt": "${spin}", "image": "assets/logo.png", "duration": 3, "aspect_ratio": "1:1" },
    { "name": "wave", "prompt": "<<<element_1>>> ${wave}", "elements": ["mascot"], "duration": 3 }
  ],
  "elements": [ { "name": "mascot", "description": "A round robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ] }`;

describe('kling render: images and elements', () => {
  let sim: Simulator;
  let dir: string;
  before(async () => {
    sim = await startTestSimulator();
    dir = await tempDir('cli-images');
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets', 'logo.png'), pngBytes(640, 640));
    writeFileSync(path.join(dir, 'assets', 'front.png'), pngBytes(400, 600));
    writeFileSync(path.join(dir, 'assets', 'side.png'), pngBytes(500, 500));
  });
  after(async () => {
    await sim.close();
    await removeDir(dir);
  });

  const render = (state: string) =>
    runCli(['render', 'board.kling.json', '--yes', '--base-url', sim.baseUrl], { cwd: dir, state, env: { KLING_API_KEY: DISTINCT_KEY } });

  it('prints a row for the element, a total that includes it, and charges exactly that total', async () => {
    writeFileSync(path.join(dir, 'board.kling.json'), board('waves'));
    const balance = sim.balance();
    const run = await render(path.join(dir, '.state-a'));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^spin\s+3\s+720p\s+off\s+\$0\.225\s+16\.2\s+to render$/m);
    assert.match(run.stdout, /^element mascot\s+\$0\.014\s+1\s+to create$/m);
    assert.match(run.stdout, /^total\s+6\s+\$0\.464\s+33\.4$/m);
    assert.match(run.stdout, /Spending \$0\.464 \(33\.4 credits\) on 2 videos and 1 element\./);
    assert.equal(Math.round((balance - sim.balance()) * 10_000) / 10_000, 33.4, 'the simulator took what the table said');
  });

  it('the next run reuses the frame\'s upload while its link lasts; the element shows as created', async () => {
    writeFileSync(path.join(dir, 'board.kling.json'), board('waves', 'The logo turns fast'));
    const uploads = sim.stats().uploads;
    const run = await render(path.join(dir, '.state-a'));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^spin\s.*to render$/m, 'a new prompt: the frame is needed again');
    assert.match(run.stdout, /^wave\s.*up to date$/m);
    assert.match(run.stdout, /^element mascot\s+\$0\.014\s+1\s+created$/m);
    assert.equal(sim.stats().uploads, uploads, 'nothing uploaded: the cache in KLING_STATE_DIR still has its link');
  });

  it('a run with another state folder (another cache) uploads the frame again', async () => {
    writeFileSync(path.join(dir, 'board.kling.json'), board('waves', 'The logo spins'));
    const uploads = sim.stats().uploads;
    const run = await render(path.join(dir, '.state-b'));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(sim.stats().uploads, uploads + 1);
  });
});
