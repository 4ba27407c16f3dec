import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readKnownElements, renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { storyboardOutputDir, validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { pngBytes } from '../../helpers/images';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// An element whose create's answer was lost (a gateway's 502) has an unknown outcome, like a video's: it is not sent
// again on its own, and the user who has checked says so with --force. For a video, --force creates it again; for
// an element it must too, or every video that uses it fails on every render, for ever, with nothing to do but find
// and delete a hidden claim file.

const LIMIT = { timeout: 30_000 };

const STORYBOARD = `{ "version": 1, "output": "out",
  "videos": [ { "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["mascot"], "duration": 3 } ],
  "elements": [ { "name": "mascot", "description": "A round robot", "frontal_image": "assets/front.png", "refer_images": ["assets/side.png"] } ] }
`;

describe('an element whose create got no answer', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 5, elementProcessingSeconds: 5 });
    dir = await tempDir('element-unknown');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('is created again with --force (the user checked), and the video that uses it is rendered', LIMIT, async () => {
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'assets', 'front.png'), pngBytes(500, 500));
    await writeFile(path.join(dir, 'assets', 'side.png'), pngBytes(500, 500));
    const storyboardPath = path.join(dir, 'robot.kling.json');
    await writeFile(storyboardPath, STORYBOARD);
    const { storyboard, problems } = await validateStoryboard(STORYBOARD, { storyboardPath, workspaceRoot: dir });
    assert.deepEqual(problems, []);
    const bed = await startEngine(sim, path.join(dir, '.state', 'journal.json'));
    beds.push(bed);
    const render = async (force: boolean) => {
      const plan = await planStoryboard(storyboard!, {
        storyboardPath,
        workspaceRoot: dir,
        force,
        journal: bed.journal.list(),
        backend: SIMULATOR_BACKEND,
        knownElements: await readKnownElements(storyboardOutputDir(storyboardPath, storyboard!), SIMULATOR_BACKEND),
      });
      return renderStoryboard(plan, { engine: bed.engine, backend: SIMULATOR_BACKEND, force, upload: (file) => bed.client.uploadFile(file, { root: dir }) });
    };

    // The element's create reaches the service, and a gateway loses its answer.
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html', headers: {} } });
    const first = await render(false);
    assert.equal(first[0]?.kind, 'failed');
    assert.equal(sim.stats().creates, 1, 'the element, whose answer was lost');

    // The user checked the service's task list, found no element, and renders with --force.
    const forced = await render(true);
    assert.equal(forced[0]?.kind, 'saved', `--force made the element and the video: ${JSON.stringify(forced[0]?.kind === 'failed' ? forced[0].message : forced[0])}`);
    assert.equal(sim.stats().creates, 3, 'the element again (asked for), then the video');
  });
});
