import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { claimFile, videoClaimRef, type Claim } from '../../../src/core/claims/claimStore';
import type { ProcessOwner } from '../../../src/core/process/processOwner';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { anEntry } from '../../helpers/builders';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft, SIMULATOR_BACKEND } from '../../helpers/taskDrafts';

// A process that is stopped rather than dead: `kling render` suspended with Ctrl-Z in one terminal (or a laptop's
// VS Code window frozen by a debugger) while a second render of the same storyboard runs in another. The stopped one
// still has its pid, so it counts as alive for ever; the second render follows it, and nobody polls or downloads the
// paid video while its 24-hour link runs out.

const LIMIT = { timeout: 30_000 };
/** Far longer than this task needs here (it completes in well under a second of the simulator's clock). */
const STUCK_MS = 8_000;

describe('a claim whose owner is alive but stopped', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 5 });
    dir = await tempDir('claim-stopped');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('a follower of an owner that has been silent for two hours does not wait for ever: the paid video is saved', LIMIT, async () => {
    const bed = await startEngine(sim, path.join(dir, 'state-b', 'journal.json'), { observeMs: 20 });
    beds.push(bed);
    const outputPath = path.join(dir, 'videos', 'hero.mp4');
    const draft = { ...aVideoDraft(outputPath, {}, 'hero'), workspaceRoot: dir };

    // The first render created the task (paid), then was suspended: a live process that will not write again.
    const task = await bed.client.createTask(draft.request);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
    child.kill('SIGSTOP');
    const owner: ProcessOwner = { token: 'suspended-render', pid: child.pid!, host: hostname(), processStart: processStartOf(child.pid!), tool: 'kling render' };
    const twoHoursAgo = Date.now() - 2 * 3_600_000;
    const ref = videoClaimRef(outputPath, draft.requestHash, SIMULATOR_BACKEND);
    const claim: Claim = {
      version: 1,
      key: ref.key,
      generation: 1,
      owner,
      ownerSeenAt: twoHoursAgo,
      entry: anEntry({
        label: 'hero',
        request: draft.request as Record<string, unknown>,
        requestHash: draft.requestHash,
        outputPath,
        workspaceRoot: dir,
        owner,
        startedBy: 'kling render',
        claim: { dir: ref.dir, key: ref.key, generation: 1 },
        taskId: task.id,
        state: { status: 'processing', progress: 10 },
        createdAt: twoHoursAgo,
        updatedAt: twoHoursAgo,
      }),
    };
    await mkdir(ref.dir, { recursive: true });
    await writeFile(claimFile(ref), JSON.stringify(claim));

    const followed = await bed.engine.submit(draft);
    assert.equal(sim.stats().creates, 1, 'not created again: the claim says a task exists');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      bed.engine.waitFor([followed.id]).then(([end]) => end?.state.status ?? 'gone'),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still following the stopped process'), STUCK_MS))),
    ]).finally(() => clearTimeout(timer));
    assert.equal(ended, 'saved', `the task completed on the service long ago; the follower ${ended === 'saved' ? 'saved it' : 'is'} ${ended}`);
  });
});

/** The process's start time as Linux counts it (as src/core/process/processOwner.ts records owners). */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
