import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readSidecar } from '../../../src/core/download/sidecar';
import { formatAmount } from '../../../src/core/pricing/decimal';
import type { FrameExtractor } from '../../../src/core/render/frameFiles';
import { renderStoryboard, type VideoOutcome } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { ImageUploads } from '../../../src/core/uploads/imageUploads';
import { UploadCache } from '../../../src/core/uploads/uploadCache';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { pngBytes } from '../../helpers/images';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// A video that continues another from its last frame, both made in one render against the simulator over HTTP: the
// source is created, saved and its frame taken (by a stand-in for the editor's webview decoder) before the video
// that continues it is sent with that frame; both were priced before anything was spent. A source that fails holds
// its followers back with a clear message, and nothing is sent for them.

const LIMIT = { timeout: 60_000 };

// The follower is listed first, and the render runs one job at a time: it must still wait for its source, not
// hold the only worker while the source sits in the queue behind it.
const board = (heroPrompt: string) => `{
  "version": 1,
  "output": "out",
  "videos": [
    { "name": "hero-on", "prompt": "The beam sweeps out to sea", "image": { "from": "hero", "frame": "last" }, "duration": 3 },
    { "name": "hero", "prompt": "${heroPrompt}", "duration": 3 }
  ]
}`;

describe('a video continuing another, both made in one render', () => {
  let sim: Simulator;
  let dir: string;
  let bed: EngineBed;
  const storyboardPath = () => path.join(dir, 'board.kling.json');

  before(async () => {
    sim = await startTestSimulator();
    dir = await tempDir('frame-dependencies');
    bed = await startEngine(sim, path.join(dir, '.state', 'journal.json'));
    await bed.engine.start();
  });
  after(async () => {
    await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  async function plan(text: string) {
    await writeFile(storyboardPath(), text);
    const check = await validateStoryboard(text, { storyboardPath: storyboardPath(), workspaceRoot: dir });
    assert.deepEqual(check.problems, []);
    return planStoryboard(check.storyboard!, { storyboardPath: storyboardPath(), workspaceRoot: dir, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
  }

  async function render(text: string, extractFrame: FrameExtractor): Promise<{ outcomes: VideoOutcome[]; cost: string }> {
    const planned = await plan(text);
    const images = new ImageUploads({ client: async () => bed.client, workspaceRoot: dir, cache: new UploadCache(path.join(dir, '.state', 'uploads.json')) });
    const outcomes = await renderStoryboard(planned, { engine: bed.engine, backend: SIMULATOR_BACKEND, concurrency: 1, extractFrame, upload: (file, field) => images.upload(file, field) });
    return { outcomes, cost: formatAmount(planned.cost.credits) };
  }

  it('makes the source, takes its last frame from the saved file, then sends the follower with it, all priced up front', LIMIT, async () => {
    const heroPath = path.join(dir, 'out', 'hero.mp4');
    const taken: Array<{ video: string; frame: string; savedBytes: number; tasks: number }> = [];
    const extract: FrameExtractor = async (videoPath, frame) => {
      taken.push({ video: videoPath, frame, savedBytes: (await stat(videoPath)).size, tasks: sim.tasks().length });
      return { bytes: pngBytes(1280, 720), width: 1280, height: 720 };
    };
    const balance = sim.balance();
    const { outcomes, cost } = await render(board('A lighthouse at dusk'), extract);

    assert.deepEqual(outcomes.map((o) => [o.name, o.kind]), [['hero-on', 'saved'], ['hero', 'saved']], JSON.stringify(outcomes));
    // 3 s each at 5.4 credits a second: the follower (image-to-video) was in the price asked for, and nothing more was charged.
    assert.equal(cost, '32.4');
    assert.equal(Math.round((balance - sim.balance()) * 10_000) / 10_000, 32.4);
    assert.equal(taken.length, 1, 'the frame is taken once');
    assert.deepEqual({ ...taken[0], savedBytes: taken[0]!.savedBytes > 0 }, { video: heroPath, frame: 'last', savedBytes: true, tasks: 1 });

    const [first, second] = [...sim.tasks()].sort((a, b) => a.createdAt - b.createdAt);
    assert.equal((first!.request as { prompt: string }).prompt, 'A lighthouse at dusk', 'the source is created first');
    assert.equal((second!.request as { prompt: string }).prompt, 'The beam sweeps out to sea');
    const follower = (await readSidecar(path.join(dir, 'out', 'hero-on.mp4')))!;
    assert.equal(follower.request['model'], 'kling-v3-image-to-video');
    assert.equal((second!.request as { image_start?: string }).image_start, follower.request['image_start']);
    assert.deepEqual(follower.uploads?.map((u) => [u.field, u.source]), [['image_start', 'out/hero.last.png']]);
    const record = JSON.parse(await readFile(path.join(dir, 'out', 'hero.last.png.json'), 'utf8')) as { sourceSha256: string };
    assert.equal(record.sourceSha256, createHash('sha256').update(await readFile(heroPath)).digest('hex'), 'the frame is of the hero.mp4 that was saved');

    const again = await plan(board('A lighthouse at dusk'));
    assert.deepEqual(again.videos.map((v) => [v.name, v.state.kind]), [['hero-on', 'up-to-date'], ['hero', 'up-to-date']], 'its sidecar names the hero it was made from');
  });

  it('holds back the follower of a source that failed, saying why, and sends nothing for it', LIMIT, async () => {
    const before = sim.tasks().length;
    let asked = 0;
    const { outcomes } = await render(board('A lighthouse at dawn [fail:content_policy_violation]'), async () => {
      asked++;
      return { bytes: pngBytes(1280, 720), width: 1280, height: 720 };
    });
    const follower = outcomes.find((o) => o.name === 'hero-on');
    assert.equal(follower?.kind, 'failed', JSON.stringify(outcomes));
    assert.match((follower as { message: string }).message, /^not sent: it starts from the last frame of "hero", which was not saved \(hero failed: The content was flagged/);
    assert.equal(outcomes.find((o) => o.name === 'hero')?.kind, 'failed');
    assert.equal(asked, 0, 'no frame taken from a video that was not made');
    assert.deepEqual(sim.tasks().slice(before).map((t) => (t.request as { prompt: string }).prompt), ['A lighthouse at dawn [fail:content_policy_violation]'], 'only the source was sent');
  });

  it('holds back the follower when the frame cannot be taken, and sends nothing for it', LIMIT, async () => {
    // The simulator may hand back the same bytes for another prompt: without its frame file, the frame must be taken.
    await rm(path.join(dir, 'out', 'hero.last.png'));
    const before = sim.tasks().length;
    const { outcomes } = await render(board('A lighthouse at night'), async () => {
      throw new Error('the video could not be decoded');
    });
    assert.deepEqual(outcomes.map((o) => [o.name, o.kind]), [['hero-on', 'failed'], ['hero', 'saved']], JSON.stringify(outcomes));
    assert.match((outcomes[0] as { message: string }).message, /^not sent: the last frame of hero\.mp4 could not be taken: the video could not be decoded$/);
    assert.deepEqual(sim.tasks().slice(before).map((t) => (t.request as { prompt: string }).prompt), ['A lighthouse at night']);
  });
});
