import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readSidecar } from '../../../src/core/download/sidecar';
import type { JournalEntry } from '../../../src/core/journal/taskState';
import { readMp4Info } from '../../../src/core/media/mp4Info';
import { renderStoryboard } from '../../../src/core/render/renderStoryboard';
import { planStoryboard } from '../../../src/core/render/storyboardPlan';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { validateStoryboard } from '../../../src/core/storyboard/validateStoryboard';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aStoryboardText, aVideoDraft, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// Several "processes" (each an engine with its own owner and journal object, over one simulator) that want the same
// video: it is created once, saved once, and each of them ends knowing where it is. An engine that is disposed is a
// process that stopped: its owner is gone, and another takes its tasks over.

const LIMIT = { timeout: 30_000 };

describe('one create per video, across processes', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];
  const engineOn = async (journal: string, deps: Parameters<typeof startEngine>[2] = {}) => {
    // Other processes' claims are looked at every 20 ms here (500 ms in use), so that a test sees each step.
    const bed = await startEngine(sim, path.join(dir, journal, 'journal.json'), { observeMs: 20, ...deps });
    beds.push(bed);
    return bed;
  };

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 40 });
    dir = await tempDir('claims');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  const saved = (entry: JournalEntry | undefined, outputPath: string) => assert.deepEqual(entry?.state, { status: 'saved', filePath: outputPath });

  it('two processes with two journals submit the same video at once: one task, one file, both know it', LIMIT, async () => {
    const a = await engineOn('state-a');
    const b = await engineOn('state-b');
    const outputPath = path.join(dir, 'videos', 'hero.mp4');
    const [fromA, fromB] = await Promise.all([a.engine.submit(aVideoDraft(outputPath, {}, 'hero')), b.engine.submit(aVideoDraft(outputPath, {}, 'hero'))]);
    const [endA] = await a.engine.waitFor([fromA.id]);
    const [endB] = await b.engine.waitFor([fromB.id]);
    saved(endA, outputPath);
    saved(endB, outputPath);
    assert.equal(sim.stats().creates, 1);
    assert.equal(endA!.taskId, endB!.taskId);
    assert.deepEqual((await readdir(path.dirname(outputPath))).sort(), ['.takes', 'hero.mp4', 'hero.mp4.json'], 'one video, one sidecar, its take, no claim left');
    assert.equal(sim.stats().requests.filter((r) => r.path.startsWith('/files/videos/')).length, 1, 'downloaded once');
  });

  it('two processes on one journal: one task, and neither calls the other one\'s create "unknown"', LIMIT, async () => {
    const a = await engineOn('state');
    const b = await engineOn('state');
    const outputPath = path.join(dir, 'videos', 'hero.mp4');
    const seen: string[] = [];
    b.journal.onDidChange((entry) => entry && seen.push(entry.state.status));
    const submittedA = a.engine.submit(aVideoDraft(outputPath, {}, 'hero'));
    // B starts while A's create is on its way, and sees A's entry `submitting` in the shared journal.
    await entryWhen(a.journal, (await waitForFirstEntry(a)).id, () => true);
    await b.journal.refresh();
    await b.engine.start();
    const fromB = await b.engine.submit(aVideoDraft(outputPath, {}, 'hero'));
    const fromA = await submittedA;
    // Whichever claimed first created it; the other followed, finding the creator's entry in the shared journal.
    assert.equal(fromB.id, fromA.id, 'one entry for one task in the shared journal');
    const [endB] = await b.engine.waitFor([fromB.id]);
    saved(endB, outputPath);
    assert.equal(sim.stats().creates, 1);
    assert.ok(!seen.includes('unknown'), `B never marked it unknown (${seen.join(', ')})`);
    await b.journal.refresh();
    assert.equal(b.journal.list().length, 1);
  });

  it('Download Again on a video another process made and saved (and has ended): fetched again here, created once', LIMIT, async () => {
    const a = await engineOn('state-a');
    const b = await engineOn('state-b');
    const outputPath = path.join(dir, 'videos', 'again.mp4');
    const fromA = await a.engine.submit(aVideoDraft(outputPath, {}, 'again'));
    const fromB = await b.engine.submit(aVideoDraft(outputPath, {}, 'again'));
    assert.equal(fromB.owner?.token, a.engine.owner.token, 'B follows A');
    await a.engine.waitFor([fromA.id]);
    await b.engine.waitFor([fromB.id]);
    await a.close();
    await rm(outputPath);
    const again = await b.engine.downloadAgain(fromB.id);
    saved(again, outputPath);
    assert.equal(sim.stats().creates, 1);
    assert.equal((await readMp4Info(outputPath)).durationSeconds, 5);
  });

  it('a process that planned a video as "to render" while another rendered and saved it creates nothing', LIMIT, async () => {
    const a = await engineOn('state-a');
    const outputPath = path.join(dir, 'videos', 'late.mp4');
    const fromA = await a.engine.submit(aVideoDraft(outputPath, {}, 'late'));
    await a.engine.waitFor([fromA.id]);
    // B's plan was made before A's claim existed (the price question can take minutes); A saved and removed its claim.
    const b = await engineOn('state-b');
    const fromB = await b.engine.submit(aVideoDraft(outputPath, {}, 'late'));
    assert.deepEqual(fromB.state, { status: 'saved', filePath: outputPath });
    assert.equal(fromB.taskId, fromA.taskId);
    assert.equal(sim.stats().creates, 1);
  });

  it('a process that stops mid-task: another that followed it takes it over and saves the video, created once', LIMIT, async () => {
    await sim.close();
    sim = await startTestSimulator({ processingSeconds: 400 });
    const a = await engineOn('state-a');
    const b = await engineOn('state-b');
    const outputPath = path.join(dir, 'videos', 'relay.mp4');
    const fromA = await a.engine.submit(aVideoDraft(outputPath, { prompt: 'A relay baton changes hands' }, 'relay'));
    const fromB = await b.engine.submit(aVideoDraft(outputPath, { prompt: 'A relay baton changes hands' }, 'relay'));
    assert.notEqual(fromB.id, fromA.id);
    assert.equal(fromB.owner?.token, a.engine.owner.token, 'B follows the task A drives');
    await entryWhen(b.journal, fromB.id, (e) => e.state.status === 'processing');
    await a.close();
    const [endB] = await b.engine.waitFor([fromB.id]);
    saved(endB, outputPath);
    assert.equal(endB!.owner?.token, b.engine.owner.token, 'B drives it now');
    assert.equal(sim.stats().creates, 1);
    assert.equal((await readSidecar(outputPath))?.taskId, fromA.taskId);
    assert.equal((await readMp4Info(outputPath)).durationSeconds, 5);
  });

  it('a create lost with its process is unknown to the next one, which sends nothing unless forced', LIMIT, async () => {
    sim.inject({ on: 'create', kind: 'lose-answer' });
    const a = await engineOn('state-a');
    const outputPath = path.join(dir, 'videos', 'lost.mp4');
    await assert.rejects(a.engine.submit(aVideoDraft(outputPath, {}, 'lost')), /answer was lost/);
    await a.close();
    const b = await engineOn('state-b');
    const unknown = await b.engine.submit(aVideoDraft(outputPath, {}, 'lost'));
    assert.equal(unknown.state.status, 'unknown');
    assert.equal(sim.stats().creates, 1, 'not sent again');
    const forced = await b.engine.submit(aVideoDraft(outputPath, {}, 'lost'), { force: true });
    const [end] = await b.engine.waitFor([forced.id]);
    saved(end, outputPath);
    assert.equal(sim.stats().creates, 2, 'the user asked for it');
  });

  it('CDN down after the task completed: the video is "download pending", and rendering again fetches it without a second create', LIMIT, async () => {
    sim.inject({ on: 'download', status: 503, times: 6 });
    const storyboardPath = path.join(dir, 'launch.kling.json');
    await writeFile(storyboardPath, aStoryboardText(1, 'videos'));
    const { storyboard } = await validateStoryboard(aStoryboardText(1, 'videos'), { storyboardPath, workspaceRoot: dir });
    const render = async (bed: EngineBed) => {
      await bed.engine.start();
      const plan = await planStoryboard(storyboard!, { storyboardPath, journal: bed.journal.list(), backend: SIMULATOR_BACKEND });
      const outcomes = await renderStoryboard(plan, { engine: bed.engine, backend: SIMULATOR_BACKEND, upload: () => assert.fail('no images') });
      return { plan, outcomes };
    };
    const first = await render(await engineOn('state'));
    assert.equal(first.outcomes[0]?.kind, 'download-pending');
    const message = first.outcomes[0]?.kind === 'download-pending' ? first.outcomes[0].message : '';
    assert.match(message, /paid for and its link works until .* UTC/);
    assert.match(message, /kling download/);
    assert.doesNotMatch(message, /render(ing)? again/i);
    await beds[0]!.close();

    const second = await render(await engineOn('state'));
    assert.equal(second.plan.videos[0]?.state.kind, 'in-flight', 'planned as under way, not "to render"');
    assert.equal(second.plan.cost.seconds, 0, 'nothing to pay');
    assert.equal(second.outcomes[0]?.kind, 'saved');
    assert.equal(sim.stats().creates, 1);
    assert.deepEqual((await readdir(path.join(dir, 'videos'))).sort(), ['.takes', 'shot-01.mp4', 'shot-01.mp4.json']);
  });

  it('one stray 404 on a poll does not abandon the task', LIMIT, async () => {
    sim.inject({ on: 'task', status: 404, times: 1 });
    const a = await engineOn('state');
    const outputPath = path.join(dir, 'videos', 'stray.mp4');
    const submitted = await a.engine.submit(aVideoDraft(outputPath, {}, 'stray'));
    const [end] = await a.engine.waitFor([submitted.id]);
    saved(end, outputPath);
    assert.ok(sim.stats().requests.some((r) => r.path.startsWith('/v1/tasks/') && r.status === 404), 'the 404 was answered');
  });

  it('a result link refused minutes after completion is asked for again before the task is called expired', LIMIT, async () => {
    sim.inject({ on: 'download', status: 403, times: 1 });
    const a = await engineOn('state');
    const outputPath = path.join(dir, 'videos', 'refused.mp4');
    const submitted = await a.engine.submit(aVideoDraft(outputPath, {}, 'refused'));
    const [end] = await a.engine.waitFor([submitted.id]);
    saved(end, outputPath);
    assert.ok(a.logs.some((line) => /asked task .* for its link again/.test(line)), a.logs.join('\n'));
  });
});

/** The first entry a journal gets (A's create, journaled before it is sent). */
function waitForFirstEntry(bed: EngineBed): Promise<JournalEntry> {
  const first = bed.journal.list()[0];
  if (first) return Promise.resolve(first);
  return new Promise((resolve) => {
    const listener = bed.journal.onDidChange((entry) => {
      if (!entry) return;
      listener.dispose();
      resolve(entry);
    });
  });
}
