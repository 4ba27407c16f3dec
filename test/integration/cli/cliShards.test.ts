/**
 * `kling render --shard K/N` as N runners that share the output folder (a shared disk or a restored cache) and one
 * service, each with a journal of its own: every video is created once, by the part it belongs to, and an element
 * that videos of both parts need is created once, the claim beside the results deciding which runner makes it. Each
 * part's estimate prices its own videos and the element it needs.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shardOfVideo } from '../../../src/core/render/videoShard';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { cliWorkspace, runCli } from '../../helpers/cliRunner';
import { pngBytes } from '../../helpers/images';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

const LIMIT = { timeout: 120_000 };

describe('kling render --shard: runners sharing the output folder', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSimulator();
  });
  after(() => sim.close());

  it('2 parts at once, 2 journals, one folder: each video created once, the element both parts need created once', LIMIT, async () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
    const part = (index: number) => names.filter((n) => shardOfVideo(n, 2) === index);
    // The element is needed by the first video of each part, so both runners need it before their videos.
    const [first, second] = [part(1)[0], part(2)[0]];
    assert.ok(first && second, 'both parts have videos');
    const withElement = new Set([first, second]);
    const ws = cliWorkspace('shards-shared');
    mkdirSync(path.join(ws.dir, 'assets'));
    writeFileSync(path.join(ws.dir, 'assets', 'front.png'), pngBytes(400, 600));
    writeFileSync(path.join(ws.dir, 'assets', 'side.png'), pngBytes(500, 500));
    const videos = names.map((n) =>
      withElement.has(n) ? `{ "name": "${n}", "prompt": "<<<element_1>>> in ${n}", "elements": ["mascot"], "duration": 3 }` : `{ "name": "${n}", "prompt": "Scene ${n}", "duration": 3 }`,
    );
    writeFileSync(
      path.join(ws.dir, 's.kling.json'),
      `{ "version": 1, "output": "out", "videos": [\n  ${videos.join(',\n  ')}\n],\n  "elements": [ { "name": "mascot", "description": "A robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ] }\n`,
    );

    // Each part's estimate: its own videos only, and the element it needs (a runner with no shared disk pays it).
    const estimates = await Promise.all(
      [1, 2].map(async (k) => {
        const run = await runCli(['estimate', 's.kling.json', '--shard', `${k}/2`, '--json'], { cwd: ws.dir, state: path.join(ws.dir, `.state-${k}`) });
        assert.equal(run.code, 0, run.stderr);
        return JSON.parse(run.stdout) as { videos: Array<{ name: string }>; elements: Array<{ name: string; usd: number }>; total: { videos: number; elements: number; usd: number }; shard: { index: number; count: number } };
      }),
    );
    for (const [i, estimate] of estimates.entries()) {
      assert.deepEqual(estimate.shard, { index: i + 1, count: 2 });
      assert.deepEqual(estimate.videos.map((v) => v.name), part(i + 1));
      assert.deepEqual(estimate.elements.map((e) => [e.name, e.usd]), [['mascot', 0.014]]);
      assert.deepEqual([estimate.total.videos, estimate.total.elements], [part(i + 1).length, 1]);
      assert.equal(estimate.total.usd, Number((part(i + 1).length * 0.225 + 0.014).toFixed(3)));
    }

    const runs = await Promise.all(
      [1, 2].map((k) =>
        runCli(['render', 's.kling.json', '--shard', `${k}/2`, '--yes'], {
          cwd: ws.dir,
          state: path.join(ws.dir, `.state-${k}`),
          env: { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl },
        }),
      ),
    );
    for (const [i, run] of runs.entries()) {
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`${part(i + 1).length} rendered, 0 up to date, 0 failed`));
    }
    const tasks = sim.tasks();
    assert.equal(tasks.filter((t) => t.kind === 'element').length, 1, 'the element is created once over both parts');
    const created = tasks.filter((t) => t.kind === 'video').map((t) => /(?:in|Scene) (\w+)$/.exec(String((t.request as { prompt?: string }).prompt))![1]);
    assert.deepEqual([...created].sort(), [...names].sort(), 'each video created once');
    assert.deepEqual(
      readdirSync(path.join(ws.dir, 'out')).filter((f) => f.endsWith('.mp4')).sort(),
      names.map((n) => `${n}.mp4`).sort(),
    );
  });
});
