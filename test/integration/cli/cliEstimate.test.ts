/**
 * `kling estimate FILE…`: every video with its state as the journal and the claims beside the results say it, the
 * elements to create, and totals of only what rendering would spend; render's total row the same.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { cliWorkspace, runCli, startCli } from '../../helpers/cliRunner';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';
import { until } from '../../helpers/cliProcess';

const LIMIT = { timeout: 90_000 };

describe('kling estimate FILE…: states and what would actually be spent', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());

  it('up to date, to render, under way and outcome unknown over two storyboards; totals count only what is to render and the new element', LIMIT, async () => {
    const ws = cliWorkspace('estimate-states');
    const env = { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl };
    const options = { cwd: ws.dir, state: ws.state, env };
    mkdirSync(path.join(ws.dir, 'assets'));
    writeFileSync(path.join(ws.dir, 'assets', 'front.png'), pngBytes(400, 600));
    writeFileSync(path.join(ws.dir, 'assets', 'side.png'), pngBytes(500, 500));
    writeFileSync(
      path.join(ws.dir, 'one.kling.json'),
      `{ "version": 1, "output": "out1", "videos": [
        { "name": "done", "prompt": "Already made", "duration": 3 },
        { "name": "fresh", "prompt": "Not yet", "duration": 5 },
        { "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["mascot"], "duration": 4 } ],
        "elements": [ { "name": "mascot", "description": "A robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ] }\n`,
    );
    writeFileSync(
      path.join(ws.dir, 'two.kling.json'),
      `{ "version": 1, "output": "out2", "videos": [
        { "name": "lost", "prompt": "Its answer was lost", "duration": 3 },
        { "name": "running", "prompt": "Still rendering", "duration": 6, "quality": "1080p" } ] }\n`,
    );
    assert.equal((await runCli(['render', 'one.kling.json', '--only', 'done', '--yes'], options)).code, 0);
    sim.inject({ on: 'create', kind: 'lose-answer' });
    assert.equal((await runCli(['render', 'two.kling.json', '--only', 'lost', '--yes'], options)).code, 4);
    // A render whose task is created and then left: its process is gone, its task is paid for and under way.
    const left = startCli(['render', 'two.kling.json', '--only', 'running', '--yes'], options);
    await until('the task to be created', () => /running: queued|running: processing/.test(left.output()));
    left.child.kill('SIGKILL');
    await left.done;
    const creates = sim.stats().requests.filter((r) => r.method === 'POST' && r.path === '/v1/videos/generations').length;

    const text = await runCli(['estimate', 'one.kling.json', 'two.kling.json'], options);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^one\.kling\.json:$/m);
    assert.match(text.stdout, /^done\s+3\s+720p\s+off\s+\$0\.225\s+16\.2\s+up to date$/m);
    assert.match(text.stdout, /^fresh\s+5\s+720p\s+off\s+\$0\.375\s+27\s+to render$/m);
    assert.match(text.stdout, /^wave\s+4\s+720p\s+off\s+\$0\.30\s+21\.6\s+to render$/m);
    assert.match(text.stdout, /^element mascot\s+\$0\.014\s+1\s+to create$/m);
    assert.match(text.stdout, /^total\s+9\s+\$0\.689\s+49\.6$/m, 'fresh + wave + the element, not done');
    assert.match(text.stdout, /^lost\s+3\s+720p\s+off\s+\$0\.225\s+16\.2\s+outcome unknown$/m);
    assert.match(text.stdout, /^running\s+6\s+1080p\s+off\s+\$0\.60\s+43\.1892\s+under way$/m);
    assert.match(text.stdout, /^total\s+0\s+\$0\.00\s+0$/m, 'two.kling.json: nothing to spend');
    assert.match(text.stdout, /Total to spend over 2 storyboards: \$0\.689 \(49\.6 credits\) for 2 videos and 1 element\./);

    const json = await runCli(['estimate', 'one.kling.json', 'two.kling.json', '--json'], options);
    const report = JSON.parse(json.stdout) as { videos: Array<{ name: string; state: string }>; elements: unknown[]; total: unknown; all: unknown };
    assert.deepEqual(Object.fromEntries(report.videos.map((v) => [v.name, v.state])), { done: 'up-to-date', fresh: 'to-render', wave: 'to-render', lost: 'outcome-unknown', running: 'under-way' });
    assert.deepEqual(report.elements, [{ storyboard: 'one.kling.json', name: 'mascot', usd: 0.014, credits: 1 }]);
    assert.deepEqual(report.total, { videos: 2, elements: 1, seconds: 9, usd: 0.689, credits: 49.6 });
    assert.deepEqual(report.all, { videos: 5, elements: 0, seconds: 21, usd: 1.725, credits: 124.1892 });
    assert.equal(sim.stats().requests.filter((r) => r.method === 'POST' && r.path === '/v1/videos/generations').length, creates, 'estimating creates nothing');

    // A partial render's total row: what it spends (fresh, wave, the element), not the video that is up to date.
    const render = await runCli(['render', 'one.kling.json', '--yes', '--only', 'done', '--only', 'fresh'], options);
    assert.equal(render.code, 0, render.stderr);
    assert.match(render.stdout, /^total\s+5\s+\$0\.375\s+27$/m);
    assert.match(render.stdout, /1 up to date costs nothing more\. All 2 listed: \$0\.60 \(43\.2 credits\)\./);
  });

  it('a video paid for whose download failed is "download pending": not priced, downloadPending in --json; then fetched, never created again', LIMIT, async () => {
    const ws = cliWorkspace('estimate-pending');
    const options = { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl } };
    writeFileSync(
      path.join(ws.dir, 'p.kling.json'),
      `{ "version": 1, "output": "out", "videos": [ { "name": "cdn", "prompt": "The CDN is down", "duration": 3 }, { "name": "next", "prompt": "Not yet", "duration": 3 } ] }\n`,
    );
    sim.inject({ on: 'download', status: 503, times: 6 });
    const first = await runCli(['render', 'p.kling.json', '--only', 'cdn', '--yes'], options);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /1 download pending/);
    const creates = sim.stats().creates;

    const text = await runCli(['estimate', 'p.kling.json'], options);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^cdn\s+3\s+720p\s+off\s+\$0\.225\s+16\.2\s+download pending$/m);
    assert.match(text.stdout, /^next\s+3\s+720p\s+off\s+\$0\.225\s+16\.2\s+to render$/m);
    assert.match(text.stdout, /^total\s+3\s+\$0\.225\s+16\.2$/m, 'only next');
    assert.match(text.stdout, /1 download pending costs nothing more\./);
    const json = JSON.parse((await runCli(['estimate', 'p.kling.json', '--json'], options)).stdout) as { videos: Array<{ name: string; state: string; downloadPending?: boolean }>; total: { usd: number } };
    assert.deepEqual(
      json.videos.map((v) => [v.name, v.state, v.downloadPending]),
      [
        ['cdn', 'under-way', true],
        ['next', 'to-render', undefined],
      ],
    );
    assert.equal(json.total.usd, 0.225);
    const summary = path.join(ws.dir, 'summary.md');
    writeFileSync(summary, '');
    const github = await runCli(['estimate', 'p.kling.json', '--format', 'github'], { ...options, env: { ...options.env, GITHUB_STEP_SUMMARY: summary } });
    assert.equal(github.code, 0, github.stderr);
    assert.match(readFileSync(summary, 'utf8'), /^\| p\.kling\.json: cdn \| download pending \| 3 \| 720p \| \$0\.225 \|$/m, 'the job summary says it too');

    const download = await runCli(['download'], options);
    assert.equal(download.code, 0, download.stdout + download.stderr);
    assert.match((await runCli(['estimate', 'p.kling.json'], options)).stdout, /^cdn\s+.*\s+up to date$/m);
    assert.equal(sim.stats().creates, creates, 'estimating and downloading create nothing');
  });
});
