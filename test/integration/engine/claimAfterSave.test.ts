import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readSidecar } from '../../../src/core/download/sidecar';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aStoryboardText, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// Found by `npm run soak` ("two renders, two journals": 181 tasks for 100 videos; two `kling render` runs of the
// soak's storyboard with two state folders made 46 + 92 = 138). A claim lives only while its video is being made:
// it is removed once the video is saved. A render plans every video at its start and reaches the last ones minutes
// later; when another process has saved a video in between, its claim is gone, and the create goes out again,
// although a sidecar with the same request hash is already beside the video.

describe('a video saved by another process after this render planned it', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 10 });
    dir = await tempDir('claim-after-save');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('is not created again: the render finds it up to date', { timeout: 20_000 }, async () => {
    const storyboardPath = path.join(dir, 'both.kling.json');
    const text = aStoryboardText(1, 'videos');
    await writeFile(storyboardPath, text);
    const { storyboard } = await validateStoryboard(text, { storyboardPath, workspaceRoot: dir });
    const engineOn = async (journal: string) => {
      const bed = await startEngine(sim, path.join(dir, journal, 'journal.json'), { observeMs: 20 });
      beds.push(bed);
      await bed.engine.start();
      return bed;
    };
    const plan = (bed: EngineBed) => planStoryboard(storyboard!, { storyboardPath, workspaceRoot: dir, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
    const render = (bed: EngineBed, planned: Awaited<ReturnType<typeof plan>>) =>
      renderStoryboard(planned, { engine: bed.engine, backend: SIMULATOR_BACKEND, upload: () => assert.fail('no images') });

    const b = await engineOn('state-b');
    // B plans first (a terminal's render, still asking for confirmation, or busy with its first 99 videos)…
    const planB = await plan(b);
    assert.equal(planB.videos[0]?.state.kind, 'to-render');
    // …while another process (another journal) renders the same video and saves it.
    const a = await engineOn('state-a');
    assert.equal((await render(a, await plan(a)))[0]?.kind, 'saved');
    const saved = await readSidecar(path.join(dir, 'videos', 'shot-01.mp4'));
    assert.equal(sim.tasks().length, 1);

    const fromB = await render(b, planB);
    assert.equal(sim.tasks().length, 1, `created again by the render that planned it before it was saved (B: ${fromB[0]?.kind})`);
    assert.equal((await readSidecar(path.join(dir, 'videos', 'shot-01.mp4')))?.taskId, saved?.taskId);
    assert.deepEqual((await readdir(path.join(dir, 'videos'))).sort(), ['.takes', 'shot-01.mp4', 'shot-01.mp4.json'], 'one video, its sidecar and its one take');
  });
});
