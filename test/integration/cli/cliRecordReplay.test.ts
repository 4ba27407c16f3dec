/**
 * --record FILE and kling simulate --replay FILE: a render against the service (here a simulator at KLING_BASE_URL)
 * recorded as HAR 1.2 opens in a HAR validator, holds no key and no image or video bytes, and replays: the same
 * render against the replay ends the same way.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { cliWorkspace, runCli, startCli } from '../../helpers/cliRunner';
import { until } from '../../helpers/cliProcess';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

// har-validator ships no types: it checks a HAR against the format's JSON Schemas (har-schema) and rejects with
// the list of what is wrong.
const harValidator = require('har-validator') as { har(data: unknown): Promise<unknown> };

const LIMIT = { timeout: 120_000 };
const BOARD = `{ "version": 1, "output": "out", "videos": [
  { "name": "words", "prompt": "A quiet harbour", "duration": 3 },
  { "name": "spin", "prompt": "The logo turns", "image": "logo.png", "duration": 3, "aspect_ratio": "1:1" } ] }\n`;

interface HarFile {
  log: { entries: Array<{ request: { method: string; url: string; headers: Array<{ name: string; value: string }>; postData?: { params?: Array<{ value?: string; fileName?: string }> } }; response: { status: number; content: { size: number; mimeType: string; text?: string } } }> };
}

describe('kling --record and kling simulate --replay', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());

  it('a recorded render is valid HAR 1.2 without the key or the bytes, and replays to the same end', LIMIT, async () => {
    const recorded = cliWorkspace('record');
    writeFileSync(path.join(recorded.dir, 's.kling.json'), BOARD);
    writeFileSync(path.join(recorded.dir, 'logo.png'), pngBytes(640, 640));
    const env = { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl };
    const run = await runCli(['render', 's.kling.json', '--yes', '--record', 'render.har'], { cwd: recorded.dir, state: recorded.state, env });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /Recorded \d+ HTTP exchanges in render\.har\./);

    const text = readFileSync(path.join(recorded.dir, 'render.har'), 'utf8');
    const har = JSON.parse(text) as HarFile;
    await harValidator.har(har);
    await assert.rejects(harValidator.har({ log: { ...har.log, entries: [{ ...har.log.entries[0]!, timings: undefined }] } }), 'the validator checks required fields');
    assert.ok(!text.includes(DISTINCT_KEY), 'the key is nowhere in the file');
    const entries = har.log.entries;
    const find = (method: string, pattern: RegExp) => entries.filter((e) => e.request.method === method && pattern.test(new URL(e.request.url).pathname));
    assert.equal(find('POST', /^\/v1\/videos\/generations$/).length, 2);
    for (const e of entries.filter((x) => x.request.headers.some((h) => h.name === 'authorization'))) {
      assert.equal(e.request.headers.find((h) => h.name === 'authorization')!.value, '[left out]');
    }
    const upload = find('POST', /\/files\/upload\/stream$/)[0]!;
    assert.deepEqual(upload.request.postData?.params?.map((p) => [p.fileName, p.value]), [['logo.png', '[left out]']]);
    const videos = find('GET', /\.mp4$/).filter((e) => e.response.status === 200);
    assert.equal(videos.length, 2);
    for (const video of videos) {
      assert.equal(video.response.content.text, undefined, 'no video bytes');
      assert.ok(video.response.content.size > 1000, 'the size is kept');
    }

    // The report becomes a test: the same storyboard, elsewhere, against the replay.
    const replay = startCli(['simulate', '--replay', path.join(recorded.dir, 'render.har')], { cwd: recorded.dir, state: recorded.state });
    try {
      await until('the replay to listen', () => /Replaying .* on (http:\/\/127\.0\.0\.1:\d+)/.test(replay.output()));
      const baseUrl = /Replaying .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(replay.output())![1]!;
      const again = cliWorkspace('replayed');
      for (const file of ['s.kling.json', 'logo.png']) copyFileSync(path.join(recorded.dir, file), path.join(again.dir, file));
      const replayed = await runCli(['render', 's.kling.json', '--yes'], { cwd: again.dir, state: again.state, env: { KLING_API_KEY: 'anything-at-all', KLING_BASE_URL: baseUrl } });
      assert.equal(replayed.code, run.code, replayed.stdout + replayed.stderr);
      const summary = (out: string) => out.split('\n').find((line) => /rendered, \d+ up to date/.test(line));
      assert.equal(summary(replayed.stdout), summary(run.stdout));
      for (const name of ['words', 'spin']) {
        const [before, after] = [recorded.dir, again.dir].map((dir) => JSON.parse(readFileSync(path.join(dir, 'out', `${name}.mp4.json`), 'utf8')) as { taskId: string });
        assert.equal(after!.taskId, before!.taskId, `${name}: the recorded task`);
        const [a, b] = await Promise.all([recorded.dir, again.dir].map((dir) => readMp4Info(path.join(dir, 'out', `${name}.mp4`))));
        assert.deepEqual([b!.width, b!.height, Math.round(b!.durationSeconds)], [a!.width, a!.height, Math.round(a!.durationSeconds)]);
      }
    } finally {
      replay.child.kill('SIGINT');
      await replay.done;
    }
    assert.match(replay.output(), /Replay stopped\./);
  });

  it('--record on a command that sends nothing writes an empty HAR; on credits, its one exchange', LIMIT, async () => {
    const ws = cliWorkspace('record-small');
    mkdirSync(ws.state, { recursive: true });
    writeFileSync(path.join(ws.dir, 's.kling.json'), BOARD.replace(', "image": "logo.png"', ''));
    const validate = await runCli(['validate', 's.kling.json', '--record', 'v.har'], { cwd: ws.dir, state: ws.state });
    assert.equal(validate.code, 0, validate.stderr);
    const empty = JSON.parse(readFileSync(path.join(ws.dir, 'v.har'), 'utf8')) as HarFile;
    await harValidator.har(empty);
    assert.deepEqual(empty.log.entries, []);
    const credits = await runCli(['credits', '--record', 'c.har'], { cwd: ws.dir, state: ws.state, env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl } });
    assert.equal(credits.code, 0, credits.stderr);
    const one = JSON.parse(readFileSync(path.join(ws.dir, 'c.har'), 'utf8')) as HarFile;
    assert.deepEqual(one.log.entries.map((e) => [e.request.method, new URL(e.request.url).pathname, e.response.status]), [['GET', '/v1/credits', 200]]);
    assert.match(one.log.entries[0]!.response.content.text ?? '', /"remaining_credits":\d/);
  });
});
