import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDownloadPending } from '../../../src/core/journal/taskState';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';
import { errorText } from '../../../src/core/text/errorText';

// "Download pending" promises that `kling download` (or Download Again) fetches the video now. When the process that
// owns the task is still running — a VS Code window left open, waiting up to 30 minutes before its next try — the
// CLI refuses: "process N (VS Code) is fetching this video; it is saved when that is done", though nobody is
// fetching it, and the render beside it told the user to run `kling download`.

const LIMIT = { timeout: 30_000 };

describe('Download Again on a task another live process owns', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 10 });
    dir = await tempDir('download-follower');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('fetches a download-pending video now, although its owner (idle until its next try) still runs', LIMIT, async () => {
    // The owner: its download failed (the CDN was down), and its next try is a while away (the default waits).
    const owner = await startEngine(sim, path.join(dir, 'editor', 'journal.json'), { tool: 'VS Code', pollPolicy: { firstPollMs: 0, intervalMs: 50, jitterMs: 0, minIntervalMs: 10 } });
    beds.push(owner);
    sim.inject({ on: 'download', status: 503, times: 6 });
    const outputPath = path.join(dir, 'videos', 'later.mp4');
    const draft = { ...aVideoDraft(outputPath, { duration: 3 }, 'later'), workspaceRoot: dir };
    const made = await owner.engine.submit(draft);
    const [pending] = await owner.engine.waitFor([made.id]);
    assert.ok(pending && isDownloadPending(pending), `download pending: ${JSON.stringify(pending?.state)}`);

    // `kling download videos/later.mp4` in a terminal: the CDN is back.
    const cli = await startEngine(sim, path.join(dir, 'cli', 'journal.json'), { tool: 'kling download' });
    beds.push(cli);
    const followed = await cli.engine.submit(draft, { mayCreate: false });
    const fetched = await cli.engine.downloadAgain(followed.id).then(
      (entry) => entry?.state.status ?? 'gone',
      (error: unknown) => `refused: ${errorText(error)}`,
    );
    const [ended] = await cli.engine.waitFor([followed.id]);
    assert.equal(ended?.state.status, 'saved', `kling download said: ${fetched}`);
    assert.equal(sim.stats().creates, 1);
  });
});
