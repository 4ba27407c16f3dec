/**
 * Takes from the command line: `kling render --takes N`, `kling takes`, `kling use`. The built dist/cli.js in a child
 * process with its embedded simulator, whose state file is the truth of how many tasks were created.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, simulatorTaskCount, startCli, until } from '../../helpers/cliProcess';

const LIMIT = { timeout: 120_000 };

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kling-cli-takes-'));
  return { dir, state: path.join(dir, '.state'), out: path.join(dir, 'out') };
}

const board = (videos: string) => `{ "version": 1, "output": "out", "videos": [ ${videos} ] }\n`;
const HERO = `{ "name": "hero", "prompt": "A golden retriever in a meadow", "duration": 3 }`;

/** The takes saved under out/.takes/<name>/: the video files (no partial files, no locks). */
function takeFiles(out: string, name: string): string[] {
  const dir = path.join(out, '.takes', name);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mp4')).sort() : [];
}

interface JournalFile {
  entries: Array<{ label: string; taskId?: string; claim?: { key: string }; state: { status: string } }>;
}

const journalOf = (state: string) => JSON.parse(readFileSync(path.join(state, 'journal.json'), 'utf8')) as JournalFile;

describe('kling render --takes', () => {
  it('creates three tasks once each, saves three takes and chooses the first to arrive; a second run creates nothing', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(HERO));
    const run = await runCli(['render', 's.kling.json', '--simulator', '--yes', '--takes', '3'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /hero +3 +720p +off +\$0\.225 +16\.2 +to render +× 3 takes/);
    assert.match(run.stdout, /total +9 +\$0\.675 +48\.6/, 'the total counts the three takes');
    assert.match(run.stdout, /Rendering 1 video \(3 takes\) on the simulator/);
    assert.match(run.stdout, /✓ hero take 1: out\/\.takes\/hero\/\d{8}-\d{6}-[a-z0-9]{8}\.mp4/);
    assert.match(run.stdout, /✓ hero take 3: /);
    assert.equal(simulatorTaskCount(ws.state), 3, 'three tasks on the simulator');

    const takes = takeFiles(ws.out, 'hero');
    assert.equal(takes.length, 3, takes.join(', '));
    const taskIds = journalOf(ws.state).entries.map((e) => e.taskId);
    assert.equal(new Set(taskIds).size, 3, 'three distinct tasks in the journal');
    assert.deepEqual(journalOf(ws.state).entries.map((e) => e.claim?.key.replace(/\.sim\..*/, '')).sort(), ['hero.mp4', 'hero.mp4.take2', 'hero.mp4.take3']);
    for (const take of takes) {
      const sidecar = JSON.parse(readFileSync(path.join(ws.out, '.takes', 'hero', `${take}.json`), 'utf8')) as { taskId: string; storyboard: string };
      assert.ok(taskIds.includes(sidecar.taskId));
      assert.equal(sidecar.storyboard, '../../../s.kling.json');
    }
    const chosen = statSync(path.join(ws.out, 'hero.mp4')).ino;
    assert.equal(takes.filter((take) => statSync(path.join(ws.out, '.takes', 'hero', take)).ino === chosen).length, 1, 'hero.mp4 is one of the takes');
    assert.deepEqual(readdirSync(ws.out).sort(), ['.takes', 'hero.mp4', 'hero.mp4.json'], 'the output folder stays tidy');

    const again = await runCli(['render', 's.kling.json', '--simulator', '--yes', '--takes', '3'], { cwd: ws.dir, state: ws.state });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Everything is up to date/);
    assert.equal(simulatorTaskCount(ws.state), 3);
  });

  it('killed while its three takes render, run again: each is resumed, none created twice', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(`{ "name": "slow", "prompt": "A slow pan over a harbour", "duration": 15, "takes": 3 }`));
    const options = { cwd: ws.dir, state: ws.state, env: { KLING_SIMULATOR_TIME_SCALE: '60' } };
    const first = startCli(['render', 's.kling.json', '--simulator', '--yes'], options);
    await until('the three takes to be processing', () => [1, 2, 3].every((n) => new RegExp(`slow \\(take ${n}\\): processing`).test(first.output())));
    first.child.kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL');
    assert.equal(simulatorTaskCount(ws.state), 3);
    assert.equal(existsSync(path.join(ws.out, 'slow.mp4')), false, 'not finished before the kill');

    // Run again without saying how many takes: the file says 3, and all three are under way anyway.
    const second = await runCli(['render', 's.kling.json', '--simulator', '--yes'], options);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /Resuming slow \(already under way; not created again\)/);
    assert.doesNotMatch(second.stdout, /Rendering 1 video/, 'nothing to pay for');
    assert.equal(simulatorTaskCount(ws.state), 3, 'three tasks, each created once');
    assert.equal(takeFiles(ws.out, 'slow').length, 3);
    assert.ok(existsSync(path.join(ws.out, 'slow.mp4')));
  });

  it('refuses --takes outside 1 to 4 before anything is sent', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(HERO));
    const run = await runCli(['render', 's.kling.json', '--simulator', '--yes', '--takes', '5'], { cwd: ws.dir, state: ws.state });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--takes must be a whole number from 1 to 4; got 5/);
    assert.equal(simulatorTaskCount(ws.state), 0);
  });
});

describe('kling takes and kling use', () => {
  it('lists the takes; use swaps the chosen take in one rename while a reader keeps opening the video', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(HERO));
    const render = await runCli(['render', 's.kling.json', '--simulator', '--yes', '--takes', '2'], { cwd: ws.dir, state: ws.state });
    assert.equal(render.code, 0, render.stderr);
    // In the order kling takes numbers them (oldest first).
    const listed = JSON.parse((await runCli(['takes', 's.kling.json', '--json'], { cwd: ws.dir, state: ws.state })).stdout) as { videos: Array<{ takes: Array<{ file: string }> }> };
    const takes = listed.videos[0]!.takes.map((take) => path.join(ws.dir, take.file));
    assert.deepEqual(takes.map((t) => path.basename(t)).sort(), takeFiles(ws.out, 'hero'));
    const inodes = new Map(takes.map((file) => [statSync(file).ino, file]));
    const size = statSync(takes[0]!).size;
    const video = path.join(ws.out, 'hero.mp4');
    const chosenBefore = inodes.get(statSync(video).ino)!;
    const other = takes.find((t) => t !== chosenBefore)!;
    const otherIndex = takes.indexOf(other) + 1;

    const list = await runCli(['takes', 's.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^hero {2}out\/hero\.mp4 {2}2 takes$/m);
    assert.equal(list.stdout.split('\n').filter((line) => line.startsWith('* ')).length, 1, list.stdout);
    assert.match(list.stdout, new RegExp(`^\\* +${takes.indexOf(chosenBefore) + 1} .*\\(chosen\\)$`, 'm'));

    // A reader opens the video over and over while the chosen take changes back and forth: every open finds a whole
    // video that is one of the takes (never missing, never a partial file).
    let reading = true;
    const seen = new Set<string>();
    const reader = (async () => {
      let opens = 0;
      while (reading) {
        const handle = await open(video, 'r');
        const stats = await handle.stat();
        await handle.close();
        assert.ok(inodes.has(stats.ino), `opened something that is no take (inode ${stats.ino})`);
        assert.equal(stats.size, size);
        seen.add(inodes.get(stats.ino)!);
        opens++;
      }
      return opens;
    })();
    for (const target of [otherIndex, takes.indexOf(chosenBefore) + 1, otherIndex]) {
      const use = await runCli(['use', 's.kling.json', 'hero', String(target)], { cwd: ws.dir, state: ws.state });
      assert.equal(use.code, 0, use.stdout + use.stderr);
      assert.match(use.stdout, new RegExp(`hero: out/hero\\.mp4 is now take ${target} \\(task-unified-`));
    }
    reading = false;
    assert.ok((await reader) > 0);
    assert.equal(seen.size, 2, 'the reader saw both takes at the video\'s path');

    assert.equal(statSync(video).ino, statSync(other).ino, 'the video is the other take now');
    const sidecar = JSON.parse(readFileSync(`${video}.json`, 'utf8')) as { taskId: string; storyboard: string };
    const otherSidecar = JSON.parse(readFileSync(`${other}.json`, 'utf8')) as { taskId: string };
    assert.equal(sidecar.taskId, otherSidecar.taskId, 'its sidecar too');
    assert.equal(sidecar.storyboard, '../s.kling.json');
    assert.ok(existsSync(chosenBefore) && statSync(chosenBefore).size === size, 'the take it replaced is still a take');
    assert.deepEqual(readdirSync(ws.out).sort(), ['.takes', 'hero.mp4', 'hero.mp4.json'], 'no temporary file left');
    assert.deepEqual(readdirSync(path.join(ws.out, '.takes', 'hero')).sort(), takes.flatMap((t) => [path.basename(t), `${path.basename(t)}.json`]).sort(), 'no lock left');

    const estimate = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.match(estimate.stdout, /Everything is up to date/, 'another take of the same request keeps the video up to date');
    assert.equal(simulatorTaskCount(ws.state), 2);
  });

  it('says which takes there are when asked for one that is not, and chooses by task id or file name too', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(HERO));
    assert.equal((await runCli(['render', 's.kling.json', '--simulator', '--yes', '--takes', '2'], { cwd: ws.dir, state: ws.state })).code, 0);
    const missing = await runCli(['use', 's.kling.json', 'hero', '7'], { cwd: ws.dir, state: ws.state });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /hero has no take "7"; its takes are 1 \(\d{8}-\d{6}-[a-z0-9]{8}\.mp4\), 2 \(/);
    const noVideo = await runCli(['use', 's.kling.json', 'villain', '1'], { cwd: ws.dir, state: ws.state });
    assert.equal(noVideo.code, 2);
    assert.match(noVideo.stderr, /has no video named "villain"; its videos are hero/);

    const json = JSON.parse((await runCli(['takes', 's.kling.json', 'hero', '--json'], { cwd: ws.dir, state: ws.state })).stdout) as {
      videos: Array<{ takes: Array<{ take: number; file: string; taskId: string; chosen: boolean; current: boolean }> }>;
    };
    const [first, second] = json.videos[0]!.takes;
    assert.equal(first!.current && second!.current, true, 'both are of the storyboard\'s request');
    const target = first!.chosen ? second! : first!;
    const byId = await runCli(['use', 's.kling.json', 'hero', target.taskId], { cwd: ws.dir, state: ws.state });
    assert.equal(byId.code, 0, byId.stderr);
    const byFile = await runCli(['use', path.join('out', 'hero.mp4'), path.basename(target.file)], { cwd: ws.dir, state: ws.state });
    assert.equal(byFile.code, 0, byFile.stderr);
    assert.match(byFile.stdout, /already the chosen one/);
  });

  it('marks a take of an older recipe, and choosing it makes the video "to render" again', LIMIT, async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(HERO));
    assert.equal((await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state })).code, 0);
    writeFileSync(path.join(ws.dir, 's.kling.json'), board(HERO.replace('meadow', 'snowfield')));
    const second = await runCli(['render', 's.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state });
    assert.equal(second.code, 0, second.stderr);
    const list = await runCli(['takes', 's.kling.json'], { cwd: ws.dir, state: ws.state });
    assert.match(list.stdout, /^ {3}1 .*\(older recipe\)$/m, list.stdout);
    assert.match(list.stdout, /^\* {2}2 .*\(chosen\)$/m, 'the render of the changed request was chosen');
    const use = await runCli(['use', 's.kling.json', 'hero', '1'], { cwd: ws.dir, state: ws.state });
    assert.match(use.stdout, /of an older recipe: the storyboard shows the video as "to render"/);
    const estimate = await runCli(['render', 's.kling.json', '--simulator'], { cwd: ws.dir, state: ws.state });
    assert.match(estimate.stdout, /hero .* to render/);
    assert.equal(simulatorTaskCount(ws.state), 2);
  });
});
