import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// The owner of a task finds, on its next write to the claim, that the claim is not there: the output folder was
// cleaned (`rm -rf media/videos` and a build that makes it again, `git clean`, a user deleting a stray hidden file).
// Nobody else has taken the task: it is still this process's, and it carries on (the poller keeps it), but it never
// writes its claim again, and logs at every poll that "another process now drives" it. From then on every other
// process (a second terminal, the editor's CodeLens) sees no claim, prices the video, and creates it again.

const LIMIT = { timeout: 30_000 };

describe('the owner\'s claim removed while its task runs', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    // About two seconds of processing: the claim is removed while the task is polled.
    sim = await startTestSimulator({ processingSeconds: 400 });
    dir = await tempDir('claim-removed');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('the output folder is cleaned while the task runs: the owner writes its claim again, and a second render follows instead of paying again', LIMIT, async () => {
    const a = await startEngine(sim, path.join(dir, 'state-a', 'journal.json'));
    beds.push(a);
    const outputPath = path.join(dir, 'videos', 'hero.mp4');
    const draft = { ...aVideoDraft(outputPath, {}, 'hero'), workspaceRoot: dir };
    const submitted = await a.engine.submit(draft);
    const processing = await entryWhen(a.journal, submitted.id, (e) => e.state.status === 'processing');
    // `rm -rf media/videos`, and something makes the folder again (a build step, the editor, the other render).
    await rm(path.dirname(outputPath), { recursive: true, maxRetries: 10, retryDelay: 5 });
    await mkdir(path.dirname(outputPath));
    // The owner polls again and records the news (the claim's place included) before the second render looks.
    await entryWhen(a.journal, submitted.id, (e) => e.polls > processing.polls + 1);

    const b = await startEngine(sim, path.join(dir, 'state-b', 'journal.json'));
    beds.push(b);
    const second = await b.engine.submit(draft);
    assert.equal(sim.stats().creates, 1, `the second render ${second.owner?.token === a.engine.owner.token ? 'follows the first' : 'paid for the same video again'}; the owner's log: ${a.logs.at(-1)}`);
  });
});
