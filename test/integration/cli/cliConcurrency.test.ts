/** Two `kling render` runs at once, and a paid video whose download fails: the built CLI as child processes. */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { cliWorkspace, embeddedSimulatorTasks, runCli, startCli } from '../../helpers/cliRunner';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

const threeVideos = `{
  "version": 1,
  "output": "out",
  "videos": [
    { "name": "one", "prompt": "A lighthouse at dusk", "duration": 3 },
    { "name": "two", "prompt": "A harbour at dawn", "duration": 3 },
    { "name": "three", "prompt": "Gulls over a pier", "duration": 3 }
  ]
}
`;

const videosIn = (dir: string) => readdirSync(dir).sort();
// Every render is also kept as a take, in the hidden .takes folder.
const EXPECTED = ['.takes', 'one.mp4', 'one.mp4.json', 'three.mp4', 'three.mp4.json', 'two.mp4', 'two.mp4.json'];

describe('two kling render runs on one storyboard at once', { concurrency: true }, () => {
  it('with two journals (a terminal and another state folder): each video is created once, and both end with all of them', async () => {
    const ws = cliWorkspace('two-journals');
    writeFileSync(path.join(ws.dir, 'b.kling.json'), threeVideos);
    const stateB = path.join(ws.dir, '.state-b');
    const env = { KLING_SIMULATOR_TIME_SCALE: '20' };
    const [a, b] = await Promise.all([
      runCli(['render', 'b.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state, env }),
      runCli(['render', 'b.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: stateB, env }),
    ]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.equal(embeddedSimulatorTasks(ws.state) + embeddedSimulatorTasks(stateB), 3, 'three tasks for three videos, whoever made them');
    assert.deepEqual(videosIn(path.join(ws.dir, 'out')), EXPECTED);
    for (const run of [a, b]) {
      assert.match(run.stdout, /3 rendered, 0 up to date, 0 failed/);
      assert.doesNotMatch(run.stdout + run.stderr, /unknown|--force/);
    }
  });

  it('with one journal: each video is created once, and neither run calls the other one\'s creates "unknown"', async () => {
    const ws = cliWorkspace('one-journal');
    writeFileSync(path.join(ws.dir, 'b.kling.json'), threeVideos);
    const env = { KLING_SIMULATOR_TIME_SCALE: '20' };
    const [a, b] = await Promise.all([
      runCli(['render', 'b.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state, env }),
      runCli(['render', 'b.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state, env }),
    ]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.equal(embeddedSimulatorTasks(ws.state), 3);
    assert.deepEqual(videosIn(path.join(ws.dir, 'out')), EXPECTED);
    for (const run of [a, b]) assert.doesNotMatch(run.stdout + run.stderr, /unknown|--force/);
  });

  it('a second run that starts while the first is rendering follows it, and says by whom', async () => {
    const ws = cliWorkspace('follow');
    writeFileSync(path.join(ws.dir, 'b.kling.json'), threeVideos);
    const env = { KLING_SIMULATOR_TIME_SCALE: '100' };
    const first = startCli(['render', 'b.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: ws.state, env });
    const until = async (check: () => boolean) => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
    };
    // Every task of the first run is created (each has printed its state) before the second starts.
    await until(() => ['one', 'two', 'three'].every((name) => new RegExp(`^${name}: (queued|processing)`, 'm').test(first.output())));
    const second = await runCli(['render', 'b.kling.json', '--simulator', '--yes'], { cwd: ws.dir, state: path.join(ws.dir, '.state-b'), env });
    const firstRun = await first.done;
    assert.equal(firstRun.code, 0, firstRun.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`Resuming one \\(by kling render, process ${first.child.pid}\\), two \\(by kling render, process ${first.child.pid}\\), three .*not created again`));
    assert.doesNotMatch(second.stdout, /Spending|Rendering 3 videos/, 'nothing priced: nothing of it is to be paid');
    assert.equal(embeddedSimulatorTasks(ws.state) + embeddedSimulatorTasks(path.join(ws.dir, '.state-b')), 3);
  });
});

// Against a simulator of the test's own (its faults are injected from here), as the API at KLING_BASE_URL. Each test
// has its own simulator: faults are queued per simulator, and the tests run side by side.
describe('a paid video whose download failed', { concurrency: true }, () => {
  const sims: Simulator[] = [];
  const simulator = async () => {
    const sim = await startTestSimulator({ processingSeconds: 5 });
    sims.push(sim);
    return sim;
  };
  after(() => Promise.all(sims.map((sim) => sim.close())));
  const api = (sim: Simulator, state: string) => ({ KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl, KLING_STATE_DIR: state });

  it('CDN down: render says "download pending" and how to fetch it; rendering again fetches it, created once', async () => {
    const ws = cliWorkspace('cdn-down');
    writeFileSync(path.join(ws.dir, 'c.kling.json'), `{ "version": 1, "output": "out", "videos": [ { "name": "cdn", "prompt": "A CDN outage, in pictures", "duration": 3 } ] }\n`);
    const sim = await simulator();
    sim.inject({ on: 'download', status: 503, times: 6 });
    const first = await runCli(['render', 'c.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stderr, /↓ cdn: .*paid for and its link works until .*kling download/);
    assert.doesNotMatch(first.stdout + first.stderr, /Rendering again may help/);
    assert.match(first.stdout, /0 rendered, 0 up to date, 1 download pending, 0 failed/);

    const again = await runCli(['render', 'c.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout, /Spending/, 'nothing to pay for');
    assert.equal(sim.stats().creates, 1, 'created once');
    assert.deepEqual(videosIn(path.join(ws.dir, 'out')), ['.takes', 'cdn.mp4', 'cdn.mp4.json']);
  });

  it('kling download fetches it on demand, without creating anything', async () => {
    const ws = cliWorkspace('download');
    writeFileSync(path.join(ws.dir, 'd.kling.json'), `{ "version": 1, "output": "out", "videos": [ { "name": "later", "prompt": "Fetched later", "duration": 3 } ] }\n`);
    const sim = await simulator();
    sim.inject({ on: 'download', status: 503, times: 6 });
    const first = await runCli(['render', 'd.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.equal(first.code, 1);
    const download = await runCli(['download'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.equal(download.code, 0, download.stdout + download.stderr);
    assert.match(download.stdout, /✓ later: out\/later\.mp4/);
    assert.equal(sim.stats().creates, 1);
    assert.deepEqual(videosIn(path.join(ws.dir, 'out')), ['.takes', 'later.mp4', 'later.mp4.json']);
    const nothing = await runCli(['download'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /No download is pending/);
  });

  it('a gateway that loses the create\'s answer (502, a page of HTML): unknown, never created again on its own; --force does', async () => {
    const ws = cliWorkspace('gateway');
    writeFileSync(path.join(ws.dir, 'g.kling.json'), `{ "version": 1, "output": "out", "videos": [ { "name": "gate", "prompt": "A gateway at night", "duration": 3 } ] }\n`);
    const sim = await simulator();
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } });
    const first = await runCli(['render', 'g.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.notEqual(first.code, 0);
    assert.match(first.stderr, /\? gate: .*a task may have been created and charged/i);
    assert.equal(sim.stats().creates, 1);
    assert.equal(sim.tasks().length, 1, 'the service did make (and charge) one task');

    const again = await runCli(['render', 'g.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /Nothing was sent again.*--force/s);
    assert.equal(sim.stats().creates, 1, 'no silent second create');

    const forced = await runCli(['render', 'g.kling.json', '--yes', '--force'], { cwd: ws.dir, state: ws.state, env: api(sim, ws.state) });
    assert.equal(forced.code, 0, forced.stdout + forced.stderr);
    assert.equal(sim.stats().creates, 2, 'created again because the user said so');
    assert.deepEqual(videosIn(path.join(ws.dir, 'out')), ['.takes', 'gate.mp4', 'gate.mp4.json']);
  });
});
