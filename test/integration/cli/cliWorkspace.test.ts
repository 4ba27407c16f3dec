/** The CLI and the workspace boundary: the built dist/cli.js in a child process, real files, real simulator. */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { runCli, simulatorTaskCount } from '../../helpers/cliProcess';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';
import { lineColOf } from '../../helpers/textPositions';

/** A workspace (not a git work tree) and a folder beside it with a file that must stay as it is. */
function layout() {
  const top = realpathSync(mkdtempSync(path.join(tmpdir(), 'kling-cli-ws-')));
  const root = path.join(top, 'ws');
  const outside = path.join(top, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  const victim = path.join(outside, 'victim.bin');
  writeFileSync(victim, 'precious\n');
  return { top, root, outside, victim, state: path.join(top, '.state') };
}

const board = (videos: string, extra = '') => `{ "version": 1${extra}, "videos": [ ${videos} ] }\n`;

describe('kling: the workspace root', () => {
  it('refuses "output": "../../../../etc/x" from the storyboard\'s folder and from /: the root never depends on the current folder', async () => {
    const ws = layout();
    const deep = path.join(ws.root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    const file = path.join(deep, 's.kling.json');
    writeFileSync(file, board(`{ "name": "hero", "prompt": "A dog" }`, ', "output": "../../../../etc/x"'));
    for (const cwd of [deep, '/']) {
      const run = await runCli(['validate', cwd === '/' ? file : 's.kling.json'], { cwd, state: ws.state });
      assert.equal(run.code, 2, `from ${cwd}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /output "\.\.\/\.\.\/\.\.\/\.\.\/etc\/x" leads outside the workspace; keep it inside, relative to this file/, `from ${cwd}`);
      const estimate = await runCli(['estimate', file], { cwd, state: ws.state });
      assert.equal(estimate.code, 2, `estimate from ${cwd}`);
    }
    assert.equal(existsSync('/etc/x'), false);
  });

  it('takes the git work tree the file is in (a .git folder, or a .git file as in a worktree), and --root over it', async () => {
    const ws = layout();
    mkdirSync(path.join(ws.root, 'boards'));
    const file = path.join(ws.root, 'boards', 's.kling.json');
    writeFileSync(file, board(`{ "name": "hero", "prompt": "A dog" }`, ', "output": "../media"'));
    const outsideBoards = await runCli(['validate', file], { cwd: '/', state: ws.state });
    assert.equal(outsideBoards.code, 2, 'without a work tree the root is the file\'s folder: ../media leaves it');
    writeFileSync(path.join(ws.root, '.git'), 'gitdir: /elsewhere/.git/worktrees/ws\n');
    const inRepo = await runCli(['validate', file], { cwd: '/', state: ws.state });
    assert.equal(inRepo.code, 0, inRepo.stderr);
    const narrowed = await runCli(['validate', file, '--root', path.join(ws.root, 'boards')], { cwd: '/', state: ws.state });
    assert.equal(narrowed.code, 2);
    assert.match(narrowed.stderr, /output "\.\.\/media" leads outside the workspace/);
  });
});

describe('kling render: symbolic links in the workspace', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());
  const api = () => ({ KLING_BASE_URL: sim.baseUrl, KLING_API_KEY: DISTINCT_KEY });

  it('an output folder that is a link out of the workspace: refused with the link named, nothing written outside, nothing spent', async () => {
    const ws = layout();
    symlinkSync(ws.outside, path.join(ws.root, 'media'));
    const text = board(`{ "name": "hero", "prompt": "A dog", "duration": 3 }`, ', "output": "media/videos"');
    writeFileSync(path.join(ws.root, 's.kling.json'), text);
    const before = sim.stats();
    const run = await runCli(['render', 's.kling.json', '--yes'], { cwd: ws.root, state: ws.state, env: api() });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const at = lineColOf(text, '"media/videos"');
    assert.ok(run.stderr.includes(`s.kling.json:${at.line}:${at.col}: output "media/videos" leads outside the workspace: media → ${ws.outside} (a symbolic link)`), run.stderr);
    assert.deepEqual(readdirSync(ws.outside), ['victim.bin'], 'nothing was written outside');
    assert.equal(sim.stats().creates, before.creates, 'nothing was created');
  });

  it('an image that is a link to a file outside the workspace: refused, and the simulator received no upload and no create', async () => {
    const ws = layout();
    writeFileSync(path.join(ws.outside, 'secret.png'), pngBytes(640, 360));
    mkdirSync(path.join(ws.root, 'assets'));
    symlinkSync(path.join(ws.outside, 'secret.png'), path.join(ws.root, 'assets', 'logo.png'));
    writeFileSync(path.join(ws.root, 's.kling.json'), board(`{ "name": "spin", "prompt": "The logo turns", "image": "assets/logo.png", "duration": 3 }`, ', "output": "out"'));
    const before = sim.stats();
    const run = await runCli(['render', 's.kling.json', '--yes'], { cwd: ws.root, state: ws.state, env: api() });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.ok(run.stderr.includes(`image "assets/logo.png" leads outside the workspace: assets/logo.png → ${path.join(ws.outside, 'secret.png')} (a symbolic link)`), run.stderr);
    assert.equal(sim.stats().uploads, before.uploads, 'nothing was uploaded');
    assert.equal(sim.stats().creates, before.creates, 'nothing was created');
  });

  it('a planted .hero.mp4.part link to a file outside: that file is byte-identical afterwards and the video is saved', async () => {
    const ws = layout();
    mkdirSync(path.join(ws.root, 'out'));
    symlinkSync(ws.victim, path.join(ws.root, 'out', '.hero.mp4.part'));
    writeFileSync(path.join(ws.root, 's.kling.json'), board(`{ "name": "hero", "prompt": "A dog", "duration": 3 }`, ', "output": "out"'));
    const run = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.root, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(readFileSync(ws.victim, 'utf8'), 'precious\n');
    assert.equal(lstatSync(path.join(ws.root, 'out', 'hero.mp4')).isFile(), true);
    // The download goes to the take's own partial file under .takes; the planted one is left as it was.
    assert.deepEqual(readdirSync(path.join(ws.root, 'out')).sort(), ['.hero.mp4.part', '.takes', 'hero.mp4', 'hero.mp4.json']);
    assert.deepEqual(readdirSync(ws.outside), ['victim.bin']);
    assert.equal(simulatorTaskCount(ws.state), 1);
  });

  it('a planted .takes link to a folder outside: refused at the video\'s name before anything is sent, nothing written there', async () => {
    const ws = layout();
    mkdirSync(path.join(ws.root, 'out'));
    symlinkSync(ws.outside, path.join(ws.root, 'out', '.takes'));
    writeFileSync(path.join(ws.root, 's.kling.json'), board(`{ "name": "hero", "prompt": "A dog", "duration": 3 }`, ', "output": "out"'));
    const run = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.root, state: ws.state });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /^s\.kling\.json:1:\d+: video "hero" keeps its takes in out\/\.takes\/hero, which leads outside the workspace: out\/\.takes → .*outside \(a symbolic link\); remove the link$/m);
    assert.deepEqual(readdirSync(ws.outside), ['victim.bin'], 'no folder, partial file or video outside');
    assert.equal(existsSync(path.join(ws.root, 'out', 'hero.mp4')), false);
    assert.equal(simulatorTaskCount(ws.state), 0, 'nothing was created');
  });
});
