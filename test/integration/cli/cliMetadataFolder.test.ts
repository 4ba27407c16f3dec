/**
 * A storyboard's "metadata" folder (docs/storyboard-format.md, "Results and sidecars"): the built dist/cli.js in a child
 * process with its embedded simulator, whose state file says how many tasks were created (paid for).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, simulatorTaskCount } from '../../helpers/cliProcess';

const LIMIT = { timeout: 120_000 };

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kling-cli-metadata-'));
  return { dir, state: path.join(dir, '.state'), out: path.join(dir, 'public', 'videos'), meta: path.join(dir, '.kling') };
}

const board = (extra: string) =>
  `{ "version": 1, "output": "public/videos"${extra}, "defaults": { "web": true }, "videos": [ { "name": "hero", "prompt": "A golden retriever in a meadow", "duration": 3 } ] }\n`;

describe('kling with a "metadata" folder', () => {
  it('renders with only the MP4 in the output folder, is up to date after, and takes, status and estimate find the records', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(', "metadata": ".kling"'));
    const run = await runCli(['render', 's.kling.json', '--simulator', '--yes', '--json'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { videos: Array<{ name: string; state: string; sidecar?: string }> };
    assert.deepEqual(report.videos.map((v) => [v.name, v.state, v.sidecar]), [['hero', 'saved', '.kling/hero.mp4.json']], 'the JSON names the sidecar where it is');
    assert.equal(simulatorTaskCount(ws.state), 1);
    assert.deepEqual(readdirSync(ws.out), ['hero.mp4'], 'no sidecar, claim, lock or takes folder among the deliverables');
    const sidecar = JSON.parse(readFileSync(path.join(ws.meta, 'hero.mp4.json'), 'utf8')) as { storyboard: string; taskId: string };
    assert.equal(sidecar.storyboard, '../s.kling.json', 'relative to the sidecar\'s own folder');
    assert.equal(readdirSync(path.join(ws.meta, '.takes', 'hero')).filter((f) => f.endsWith('.mp4')).length, 1);

    const again = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Everything is up to date/);
    assert.equal(simulatorTaskCount(ws.state), 1, 'nothing created again');

    const estimate = await runCli(['estimate', 's.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.match(estimate.stdout, /hero .*up to date/, estimate.stdout);

    for (const target of [['s.kling.json'], ['public/videos/hero.mp4']]) {
      const takes = await runCli(['takes', ...target, '--json'], { cwd: ws.dir, state: ws.state });
      assert.equal(takes.code, 0, takes.stderr);
      const listed = JSON.parse(takes.stdout) as { videos: Array<{ takes: Array<{ taskId?: string; chosen: boolean; file: string }> }> };
      assert.equal(listed.videos[0]!.takes.length, 1, takes.stdout);
      assert.equal(listed.videos[0]!.takes[0]!.chosen, true);
      assert.match(listed.videos[0]!.takes[0]!.file, /^\.kling\/\.takes\/hero\//, `${target.join(' ')}: the take is found in the metadata folder`);
    }

    const status = await runCli(['status', '--json'], { cwd: ws.dir, state: ws.state });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(sidecar.taskId));
    assert.equal(simulatorTaskCount(ws.state), 1);
  });

  it('a storyboard that names the folder after its videos were saved: up to date, nothing paid again, and the records move there', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(''));
    assert.equal((await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state })).code, 0);
    assert.deepEqual(readdirSync(ws.out).sort(), ['.takes', 'hero.mp4', 'hero.mp4.json']);

    writeFileSync(path.join(ws.dir, 's.kling.json'), board(', "metadata": ".kling"'));
    const estimate = await runCli(['estimate', 's.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.match(estimate.stdout, /hero .*up to date/, 'the sidecar beside the video still counts');
    const run = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Everything is up to date/);
    assert.equal(simulatorTaskCount(ws.state), 1, 'never paid again');
    assert.deepEqual(readdirSync(ws.out), ['hero.mp4'], 'the old records left the output folder');
    assert.ok(existsSync(path.join(ws.meta, 'hero.mp4.json')));
    assert.equal(readdirSync(path.join(ws.meta, '.takes', 'hero')).filter((f) => f.endsWith('.mp4')).length, 1);
    const takes = await runCli(['takes', 's.kling.json', '--json'], { cwd: ws.dir, state: ws.state });
    assert.equal((JSON.parse(takes.stdout) as { videos: Array<{ takes: unknown[] }> }).videos[0]!.takes.length, 1);
  });

  it('refuses a metadata folder outside the workspace or through a link that leads out, and warns of one inside the output folder', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 'out.kling.json'), board(', "metadata": "../elsewhere"'));
    const outside = await runCli(['validate', 'out.kling.json', '--root', ws.dir], { cwd: ws.dir, state: ws.state });
    assert.notEqual(outside.code, 0);
    assert.match(outside.stdout + outside.stderr, /metadata "\.\.\/elsewhere" leads outside the workspace/);

    const away = mkdtempSync(path.join(tmpdir(), 'kling-cli-metadata-away-'));
    symlinkSync(away, path.join(ws.dir, 'linked'));
    writeFileSync(path.join(ws.dir, 'link.kling.json'), board(', "metadata": "linked"'));
    const linked = await runCli(['validate', 'link.kling.json', '--root', ws.dir], { cwd: ws.dir, state: ws.state });
    assert.notEqual(linked.code, 0);
    assert.match(linked.stdout + linked.stderr, /metadata "linked" leads outside the workspace/);
    const render = await runCli(['render', 'link.kling.json', '--simulator', '--yes', '--root', ws.dir], { cwd: ws.dir, state: ws.state });
    assert.notEqual(render.code, 0);
    assert.equal(simulatorTaskCount(ws.state), 0, 'nothing sent');
    assert.deepEqual(readdirSync(away), [], 'nothing written through the link');

    mkdirSync(ws.out, { recursive: true });
    writeFileSync(path.join(ws.dir, 'inside.kling.json'), board(', "metadata": "public/videos/.kling"'));
    const inside = await runCli(['validate', 'inside.kling.json', '--root', ws.dir], { cwd: ws.dir, state: ws.state });
    assert.match(inside.stdout + inside.stderr, /is inside the output folder, so the records would be published with the videos/);
  });
});
