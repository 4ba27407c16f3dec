import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aStoryboardText, aVideoDraft, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// The embedded simulator of `kling render --simulator` (and the editor's, at each window reload) is a new server in
// each process, on a new port, with the tasks of its state file. Found by `npm run soak` ("SIGKILL ×20, resumed"):
// a video whose task completed before the process stopped, and was not yet saved, keeps the result link of the
// simulator that is gone; every render again tries that dead address (ECONNREFUSED, six attempts) and reports
// "download pending" for ever. `kling download` does not always help either: its engine's start() begins the
// download from the dead link before downloadAgain asks the task for a fresh one, and a download under way is not
// restarted with it (seen with the CLI: of three such videos, the two that waited for a download slot were saved,
// the first was not, then or at the next `kling download`, whose journal held the previous process's link).

describe('a render again after the simulator restarted on another port', () => {
  let dir: string;
  const sims: Simulator[] = [];
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    dir = await tempDir('simulator-restart');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    for (const sim of sims.splice(0)) await sim.close();
    await removeDir(dir);
  });

  it('saves a video whose task completed before the last process stopped, creating nothing', { timeout: 30_000 }, async () => {
    const stateFile = path.join(dir, '.state', 'simulator.json');
    const journalPath = path.join(dir, '.state', 'journal.json');
    const storyboardPath = path.join(dir, 'restart.kling.json');
    const text = aStoryboardText(1, 'videos');
    await writeFile(storyboardPath, text);
    const { storyboard } = await validateStoryboard(text, { storyboardPath, workspaceRoot: dir });
    const render = async (sim: Simulator) => {
      const bed = await startEngine(sim, journalPath);
      beds.push(bed);
      await bed.engine.start();
      const plan = await planStoryboard(storyboard!, { storyboardPath, workspaceRoot: dir, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
      const outcomes = await renderStoryboard(plan, { engine: bed.engine, backend: SIMULATOR_BACKEND, upload: () => assert.fail('no images') });
      await bed.close();
      return outcomes;
    };

    // The first process: the task completes, its download does not happen (here the CDN refuses it; with the CLI,
    // the process was stopped first). Then the process and its simulator end.
    const first = await startTestSimulator({ stateFile, processingSeconds: 10 });
    sims.push(first);
    first.inject({ on: 'download', status: 503, times: 100 });
    assert.equal((await render(first))[0]?.kind, 'download-pending');
    await first.close();

    // The next process starts its own simulator on the same state file: the task is there, on another port.
    const second = await startTestSimulator({ stateFile, processingSeconds: 10 });
    sims.push(second);
    assert.equal(second.tasks().length, 1);
    const again = await render(second);
    assert.equal(again[0]?.kind, 'saved', again[0]?.kind === 'download-pending' ? again[0].message : JSON.stringify(again[0]));
    assert.equal(second.tasks().length, 1, 'created once');
    assert.deepEqual((await readdir(path.join(dir, 'videos'))).filter((name) => !name.startsWith('.')).sort(), ['shot-01.mp4', 'shot-01.mp4.json']);
  });

  it('saves it with downloadAgain after the engine started, as `kling download` does, creating nothing', { timeout: 30_000 }, async () => {
    const stateFile = path.join(dir, '.state', 'simulator.json');
    const journalPath = path.join(dir, '.state', 'journal.json');
    const outputPath = path.join(dir, 'videos', 'later.mp4');
    const first = await startTestSimulator({ stateFile, processingSeconds: 10 });
    sims.push(first);
    first.inject({ on: 'download', status: 503, times: 100 });
    const a = await startEngine(first, journalPath);
    beds.push(a);
    const submitted = await a.engine.submit({ ...aVideoDraft(outputPath, { duration: 3 }, 'later'), workspaceRoot: dir });
    const [pending] = await a.engine.waitFor([submitted.id]);
    assert.equal(pending?.state.status, 'completed', 'paid for, its download pending');
    await a.close();
    await first.close();

    const second = await startTestSimulator({ stateFile, processingSeconds: 10 });
    sims.push(second);
    const b = await startEngine(second, journalPath);
    beds.push(b);
    await b.engine.start();
    await b.engine.downloadAgain(submitted.id);
    const [ended] = await b.engine.waitFor([submitted.id]);
    assert.deepEqual(ended?.state, { status: 'saved', filePath: outputPath }, ended?.lastError);
    assert.equal(second.tasks().length, 1, 'created once');
  });
});
