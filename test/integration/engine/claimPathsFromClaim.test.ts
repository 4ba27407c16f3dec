import assert from 'node:assert/strict';
import { access, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { claimFile, videoClaimRef, type Claim } from '../../../src/core/claims/claimStore';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { anEntry } from '../../helpers/builders';
import { goneOwner } from '../../helpers/owners';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aStoryboardText, aVideoDraft, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';
import { FakeClock } from '../../helpers/fakeClock';

// A claim carries its owner's journal entry, paths included (outputPath, workspaceRoot). A process that takes a
// claim over must write where *its* storyboard says, inside *its* workspace, never where the claim says: a project
// folder copied (cp -a, a zip, a second checkout synced by a tool) while a render was under way carries a claim
// whose paths name the original folder.

const LIMIT = { timeout: 30_000 };

describe('a claim taken over writes inside the taker\'s workspace, not where the claim says', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    // Long enough to stop the first process while the task runs, short enough to finish in the test.
    sim = await startTestSimulator({ processingSeconds: 300 });
    dir = await tempDir('claim-paths');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('a project copied while its render was under way: the copy\'s render saves into the copy, and the original is not touched', LIMIT, async () => {
    const original = path.join(dir, 'project');
    const copy = path.join(dir, 'project-copy');
    await mkdir(original, { recursive: true });
    const text = aStoryboardText(1, 'videos');
    await writeFile(path.join(original, 'launch.kling.json'), text);

    const renderIn = async (root: string, bed: EngineBed, stopWhenProcessing: boolean) => {
      const storyboardPath = path.join(root, 'launch.kling.json');
      const { storyboard } = await validateStoryboard(text, { storyboardPath, workspaceRoot: root });
      await bed.engine.start();
      const plan = await planStoryboard(storyboard!, { storyboardPath, workspaceRoot: root, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
      if (!stopWhenProcessing) {
        return renderStoryboard(plan, { engine: bed.engine, backend: SIMULATOR_BACKEND, upload: () => assert.fail('no images') });
      }
      // The first process: it creates the task, and is stopped (its owner gone) while the service makes the video.
      const stop = new AbortController();
      let reported!: (id: string) => void;
      const taskId = new Promise<string>((resolve) => (reported = resolve));
      const rendering = renderStoryboard(plan, {
        engine: bed.engine,
        backend: SIMULATOR_BACKEND,
        signal: stop.signal,
        upload: () => assert.fail('no images'),
        onTask: (_video, entry) => reported(entry.id),
      }).catch(() => undefined);
      await entryWhen(bed.journal, await taskId, (e) => e.state.status === 'processing');
      stop.abort();
      await rendering;
      await bed.close();
      return [];
    };

    const first = await startEngine(sim, path.join(dir, 'state-a', 'journal.json'), { observeMs: 20 });
    beds.push(first);
    await renderIn(original, first, true);
    assert.equal(sim.stats().creates, 1);
    const originalBefore = (await readdir(path.join(original, 'videos'))).sort();
    assert.ok(originalBefore.some((name) => name.endsWith('.claim')), `the stopped render left its claim: ${originalBefore.join(', ')}`);

    // The whole project is copied (claim included), and rendered there by another process with its own journal.
    await cp(original, copy, { recursive: true });
    const second = await startEngine(sim, path.join(dir, 'state-b', 'journal.json'), { observeMs: 20 });
    beds.push(second);
    const outcomes = await renderIn(copy, second, false);

    assert.equal(sim.stats().creates, 1, 'the copy followed the task instead of paying for it again');
    assert.equal(outcomes[0]?.kind, 'saved', JSON.stringify(outcomes[0]));
    const saved = outcomes[0]?.kind === 'saved' ? outcomes[0].outputPath : '';
    assert.ok(saved.startsWith(`${copy}${path.sep}`), `the copy's render saved its video inside the copy, not at ${saved}`);
    assert.deepEqual(
      (await readdir(path.join(original, 'videos'))).sort(),
      originalBefore,
      'nothing was written into the original project, which is outside the copy\'s workspace',
    );
  });

  it('a claim planted in a cloned repo (its owner long gone) chooses neither the file written nor the workspace it is checked against', LIMIT, async () => {
    await sim.close();
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    sim = await startTestSimulator({ processingSeconds: 5, now: clock.now });
    const workspace = path.join(dir, 'cloned-repo');
    const outside = path.join(dir, 'home', 'notes.txt');
    const bed = await startEngine(sim, path.join(dir, 'state', 'journal.json'), { observeMs: 20 });
    beds.push(bed);
    const outputPath = path.join(workspace, 'videos', 'hero.mp4');
    const draft = { ...aVideoDraft(outputPath, {}, 'hero'), workspaceRoot: workspace };

    // Any completed task's link will do (a hostile repo would name its own server); the simulator's is a real MP4.
    const task = await bed.client.createTask(draft.request);
    await clock.advance(3_600_000);
    const completed = await bed.client.getTask(task.id);
    const videoUrl = completed.results?.[0];
    assert.ok(videoUrl, 'the task completed');
    const owner = goneOwner();
    const ref = videoClaimRef(outputPath, draft.requestHash, SIMULATOR_BACKEND);
    const planted: Claim = {
      version: 1,
      key: ref.key,
      generation: 1,
      owner,
      ownerSeenAt: Date.now(),
      entry: anEntry({
        label: 'hero',
        request: draft.request as Record<string, unknown>,
        requestHash: draft.requestHash,
        owner,
        taskId: task.id,
        // What the repo's author chose: a file outside the workspace, and no workspace to check it against.
        outputPath: outside,
        state: { status: 'completed', videoUrl },
        completedAt: Date.now(),
      }),
    };
    await mkdir(ref.dir, { recursive: true });
    await writeFile(claimFile(ref), JSON.stringify(planted));

    // What a render does with a video planned "under way" (the plan reads the same claim): it may not create.
    const taken = await bed.engine.submit(draft, { mayCreate: false });
    const [ended] = await bed.engine.waitFor([taken.id]);
    assert.equal(sim.stats().creates, 1, 'nothing created by the render');
    await assert.rejects(access(outside), 'no file was written outside the workspace');
    await assert.rejects(access(`${outside}.json`), 'no sidecar was written outside the workspace');
    assert.ok(ended?.outputPath === outputPath, `the entry saves where the storyboard says (${outputPath}), not at ${ended?.outputPath}`);
  });
});
