import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readSidecar } from '../../../src/core/download/sidecar';
import { regenerateDraft } from '../../../src/core/preview/regenerateDraft';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// A saved video is not paid for again (no claim and a sidecar of the same request: 'saved'), and takes are several
// videos of one request. The chosen video is one take: it must neither stop a render's other takes nor a Regenerate,
// and a render that planned takes another process has made since must pay for none of them.

const BOARD = (takes: number) =>
  `${JSON.stringify({ version: 1, output: 'videos', videos: [{ name: 'kite', prompt: 'A red kite over green hills', duration: 3, takes }] }, null, 2)}\n`;

describe('takes and a video already saved', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 2 });
    dir = await tempDir('takes-after-save');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  const engineOn = async (journal: string) => {
    const bed = await startEngine(sim, path.join(dir, journal, 'journal.json'), { observeMs: 20 });
    beds.push(bed);
    await bed.engine.start();
    return bed;
  };
  const setUp = async (takes: number) => {
    const storyboardPath = path.join(dir, 'kite.kling.json');
    const text = BOARD(takes);
    await writeFile(storyboardPath, text);
    const { storyboard } = await validateStoryboard(text, { storyboardPath, workspaceRoot: dir });
    const plan = (bed: EngineBed) => planStoryboard(storyboard!, { storyboardPath, workspaceRoot: dir, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
    const render = (bed: EngineBed, planned: Awaited<ReturnType<typeof plan>>, concurrency?: number) =>
      renderStoryboard(planned, { engine: bed.engine, backend: SIMULATOR_BACKEND, concurrency, upload: () => assert.fail('no images') });
    return { plan, render };
  };
  const takeFiles = async () => (await readdir(path.join(dir, 'videos', '.takes', 'kite'))).filter((f) => f.endsWith('.mp4'));

  it('one at a time, a render makes all its takes: the first one saved does not stop the third', { timeout: 30_000 }, async () => {
    const { plan, render } = await setUp(3);
    const bed = await engineOn('state');
    const outcomes = await render(bed, await plan(bed), 1);
    assert.deepEqual(outcomes.map((o) => [o.kind, o.take]), [['saved', 1], ['saved', 2], ['saved', 3]]);
    assert.equal(sim.tasks().length, 3);
    assert.equal((await takeFiles()).length, 3);
  });

  it('Regenerate of a video that is up to date makes a new take of it', { timeout: 30_000 }, async () => {
    const { plan, render } = await setUp(1);
    const bed = await engineOn('state');
    assert.equal((await render(bed, await plan(bed)))[0]?.kind, 'saved');
    const video = path.join(dir, 'videos', 'kite.mp4');
    const draft = regenerateDraft((await readSidecar(video))!, video);
    assert.ok(draft.ok);
    const entry = await bed.engine.submit({ ...draft.draft, backend: SIMULATOR_BACKEND, workspaceRoot: dir });
    const [ended] = await bed.engine.waitFor([entry.id]);
    assert.equal(ended?.state.status, 'saved', JSON.stringify(ended?.state));
    assert.equal(sim.tasks().length, 2, 'a second task: the new take');
    assert.equal((await takeFiles()).length, 2);
  });

  it('a render that planned two takes another process has made since creates neither', { timeout: 30_000 }, async () => {
    const { plan, render } = await setUp(2);
    const b = await engineOn('state-b');
    const planB = await plan(b);
    assert.deepEqual(planB.videos[0]?.takes.map((t) => t.state.kind), ['to-render', 'to-render']);
    const a = await engineOn('state-a');
    assert.deepEqual((await render(a, await plan(a))).map((o) => o.kind), ['saved', 'saved']);
    assert.equal(sim.tasks().length, 2);

    const fromB = await render(b, planB);
    assert.equal(sim.tasks().length, 2, `created again by the render that planned them before they were saved: ${JSON.stringify(fromB.map((o) => o.kind))}`);
    assert.equal((await takeFiles()).length, 2);
  });
});
