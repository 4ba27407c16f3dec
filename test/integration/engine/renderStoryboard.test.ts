import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readSidecar } from '../../../src/core/download/sidecar';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import { formatAmount } from '../../../src/core/pricing/decimal';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import type { Storyboard } from '../../../src/core/storyboard/storyboardSchema';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aStoryboardText, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// A storyboard of 50 videos rendered at once through planStoryboard + renderStoryboard + TaskEngine, over real HTTP:
// every video created exactly once, every MP4 and sidecar on disk, and a second render that spends nothing.

/** A broken client, engine or downloader fails its test rather than hanging the run. */
const LIMIT = { timeout: 30_000 };

const COUNT = 50;

describe('renderStoryboard: 50 videos at once against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let storyboardPath: string;
  let storyboard: Storyboard;
  let journalPath: string;
  const beds: EngineBed[] = [];

  before(async () => {
    sim = await startTestSimulator({ processingSeconds: 10 });
    dir = await tempDir('render');
    storyboardPath = path.join(dir, 'launch.kling.json');
    journalPath = path.join(dir, '.state', 'journal.json');
    const text = aStoryboardText(COUNT);
    await writeFile(storyboardPath, text);
    const check = await validateStoryboard(text, { storyboardPath, workspaceRoot: dir });
    assert.deepEqual(check.problems, []);
    storyboard = check.storyboard!;
    assert.equal(storyboard.videos.length, COUNT);
  });
  after(async () => {
    for (const bed of beds) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  const render = async (bed: EngineBed) => {
    await bed.engine.start();
    const plan = await planStoryboard(storyboard, { storyboardPath, journal: bed.journal.list() });
    const outcomes = await renderStoryboard(plan, {
      engine: bed.engine,
      backend: SIMULATOR_BACKEND,
      concurrency: COUNT,
      upload: () => assert.fail('these videos have no local images to upload'),
    });
    return { plan, outcomes };
  };

  it('renders every video once, each MP4 with its sidecar', LIMIT, async () => {
    const bed = await startEngine(sim, journalPath, { downloadConcurrency: 8 });
    beds.push(bed);
    const { plan, outcomes } = await render(bed);

    assert.deepEqual(
      plan.videos.map((v) => v.state.kind),
      Array.from({ length: COUNT }, () => 'to-render'),
    );
    // 50 × 3 s × 5.4 credits per second of 720p without sound.
    assert.equal(formatAmount(plan.cost.credits), '810');
    assert.equal(outcomes.length, COUNT);
    const failed = outcomes.filter((o) => o.kind !== 'saved');
    assert.deepEqual(failed, [], 'every video is saved');

    const stats = sim.stats();
    assert.equal(stats.creates, COUNT, 'exactly one create per video');
    const tasks = sim.tasks();
    assert.equal(tasks.length, COUNT);
    assert.equal(new Set(tasks.map((t) => (t.request as { prompt: string }).prompt)).size, COUNT, 'each video its own prompt');
    assert.equal(sim.balance(), 10_000 - 810);

    const outputDir = path.join(dir, 'renders');
    const files = (await readdir(outputDir)).sort();
    const names = plan.videos.map((v) => v.name).sort();
    assert.deepEqual(files, ['.takes', ...names.flatMap((n) => [`${n}.mp4`, `${n}.mp4.json`])].sort(), 'only the videos, their sidecars and the hidden takes');
    assert.equal((await readdir(path.join(outputDir, '.takes'))).length, COUNT, 'one folder of takes per video');

    const taskIds = new Set(tasks.map((t) => t.id));
    const sidecarTasks = new Set<string>();
    for (const video of plan.videos) {
      const sidecar = await readSidecar(video.outputPath);
      assert.ok(sidecar, `${video.name} has a sidecar`);
      assert.equal(sidecar.requestHash, video.requestHash);
      assert.equal(sidecar.video, video.name);
      assert.equal(sidecar.storyboard, '../launch.kling.json');
      assert.equal(sidecar.bytes, (await stat(video.outputPath)).size);
      assert.ok(taskIds.has(sidecar.taskId));
      sidecarTasks.add(sidecar.taskId);
      const info = await readMp4Info(video.outputPath);
      assert.equal(info.durationSeconds, 3, video.name);
      assert.deepEqual([info.width, info.height], [720, 720], video.name);
    }
    assert.equal(sidecarTasks.size, COUNT, 'each video came from its own task');
    assert.ok(bed.journal.list().every((e) => e.state.status === 'saved'));
  });

  it('rendering again finds every video up to date and creates nothing', LIMIT, async () => {
    const before = sim.stats();
    // A new process on the same journal, as the CLI run a second time.
    const bed = await startEngine(sim, journalPath);
    beds.push(bed);
    const { plan, outcomes } = await render(bed);
    assert.deepEqual(
      plan.videos.map((v) => v.state.kind),
      Array.from({ length: COUNT }, () => 'up-to-date'),
    );
    assert.equal(formatAmount(plan.cost.credits), '0');
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      Array.from({ length: COUNT }, () => 'up-to-date'),
    );
    const now = sim.stats();
    assert.equal(now.creates, before.creates, 'zero creates');
    assert.equal(now.downloads, before.downloads);
    assert.equal(now.taskGets, before.taskGets);
  });
});

describe('renderStoryboard: a key the service refuses', () => {
  it('stops after the first refused create and says what kind of error it was, for the one action that helps', LIMIT, async () => {
    const sim = await startTestSimulator({ apiKeys: ['another-key'] });
    const dir = await tempDir('render-auth');
    const bed = await startEngine(sim, path.join(dir, '.state', 'journal.json'));
    try {
      const storyboardPath = path.join(dir, 'refused.kling.json');
      await mkdir(dir, { recursive: true });
      const text = aStoryboardText(3);
      await writeFile(storyboardPath, text);
      const { storyboard } = await validateStoryboard(text, { storyboardPath, workspaceRoot: dir });
      await bed.engine.start();
      const plan = await planStoryboard(storyboard!, { storyboardPath, journal: bed.journal.list() });
      const outcomes = await renderStoryboard(plan, {
        engine: bed.engine,
        backend: SIMULATOR_BACKEND,
        concurrency: 1,
        upload: () => assert.fail('no uploads'),
      });
      assert.deepEqual(
        outcomes.map((o) => [o.kind, o.kind === 'failed' ? o.error : undefined]),
        [
          ['failed', 'auth'],
          ['failed', 'auth'],
          ['failed', 'auth'],
        ],
      );
      assert.equal(sim.stats().creates, 1, 'one create, then no more with the same key');
      assert.deepEqual(bed.journal.list(), [], 'a refused create leaves nothing in the journal');
    } finally {
      await bed.close();
      await sim.close();
      await removeDir(dir);
    }
  });
});
