import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDownloadPending } from '../../../src/core/journal/taskState';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// One stray 404 on a poll abandons nothing (docs/service-contract.md, "Query a task": expired only after 4 answers of
// 404 over 10 minutes). The fresh look at a task that the engine takes when a result link is refused — and that
// `kling download` and Download Again take first — goes through refetch(), which calls the task expired on the
// first 404: the paid video is given up, its claim removed, and the next render prices it and pays for it again.

const LIMIT = { timeout: 30_000 };

describe('a stray 404 on the fresh look at a completed task', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 10 });
    dir = await tempDir('refetch-404');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('after a refused link, does not give up the paid video', LIMIT, async () => {
    const bed = await startEngine(sim, path.join(dir, 'state', 'journal.json'));
    beds.push(bed);
    // The CDN refuses the link once (a signature glitch); the engine asks the task again, and that one GET meets a
    // replica that has not seen the task yet.
    sim.inject({ on: 'download', status: 403, times: 1 });
    const listener = bed.journal.onDidChange((entry) => {
      if (entry?.state.status !== 'downloading') return;
      listener.dispose();
      sim.inject({ on: 'task', status: 404, times: 1 });
    });
    const outputPath = path.join(dir, 'videos', 'stray.mp4');
    const submitted = await bed.engine.submit({ ...aVideoDraft(outputPath, { duration: 3 }, 'stray'), workspaceRoot: dir });
    const [ended] = await bed.engine.waitFor([submitted.id]);

    assert.ok(
      sim.stats().requests.some((r) => r.path.startsWith('/v1/tasks/') && r.status === 404),
      'the stray 404 was answered',
    );
    // Saved, or still "download pending" (completed, with its link, fetched again later): anything else is a paid
    // video given up. What happens today: the 404 makes it expired and removes its claim, then the failed download
    // is recorded over that, leaving "completed" without a link, which no retry, plan or `kling download` picks up.
    assert.ok(
      ended !== undefined && (ended.state.status === 'saved' || isDownloadPending(ended)),
      `one 404 abandoned a paid task: ${JSON.stringify(ended?.state)}; ${bed.logs.join(' | ')}`,
    );
    assert.equal(sim.stats().creates, 1);
  });
});
