import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CLAIM_HEARTBEAT_MS, isClaimOwnerGone, readClaim } from '../../../src/core/claims/claimStore';
import { isDownloadPending } from '../../../src/core/journal/taskState';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { pollPolicyFor } from '../../../src/core/tasks/pollPolicyFor';
import { until } from '../../helpers/cliProcess';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { FakeClock } from '../../helpers/fakeClock';
import { removeDir, startTestSimulator, tempDir, TEST_TIME_SCALE } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// A live owner keeps its claims fresh with a heartbeat, or after 10 silent minutes another process takes its task
// over. An editor left open stops its heartbeat once it has nothing live; a task the user then gives it (Attach Task
// ID…) whose download waits for its next try must still be heard from.

const LIMIT = { timeout: 30_000 };

/** After each timer: time for what it started to reach the disk (a claim write takes the folder's lock). */
async function settleWrites(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the heartbeat of an engine that was idle, after Attach Task ID', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 1 });
    dir = await tempDir('heartbeat-attach');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('keeps the claim of an attached, download-pending task fresh', LIMIT, async () => {
    const clock = new FakeClock(Date.now());
    // Downloads that fail are tried again 15 minutes later: longer than the silence after which an owner counts as gone.
    const pollPolicy = { ...pollPolicyFor(TEST_TIME_SCALE), intervalMs: 300_000, maxErrorBackoffMs: 60_000 };
    const editor = await startEngine(sim, path.join(dir, 'editor', 'journal.json'), { tool: 'VS Code', clock, pollPolicy });
    beds.push(editor);
    await editor.engine.start();
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html', headers: {} } });
    const outputPath = path.join(dir, 'videos', 'gate.mp4');
    await editor.engine.submit({ ...aVideoDraft(outputPath, { prompt: 'A gate at dusk' }, 'gate'), workspaceRoot: dir }).catch(() => undefined);
    const lost = editor.journal.list().find((e) => e.outputPath === outputPath)!;
    assert.equal(lost.state.status, 'unknown');
    const task = sim.tasks().at(-1)!;
    // The user finds it in the service's list once it is done (the editor's clock is a fake one: it polls on our say).
    await until('the found task is done', () => sim.tasks().find((t) => t.id === task.id)?.status === 'completed');

    // A couple of minutes later the user finds the task in the service's list; the CDN is down for a while.
    await clock.advance(2 * 60_000);
    sim.inject({ on: 'download', status: 503, times: 1000 });
    await editor.engine.attachTask(lost.id, task.id);
    const pending = await entryWhen(editor.journal, lost.id, (e) => isDownloadPending(e) && e.lastError !== undefined);
    assert.ok(pending.claim, 'the attached task has a claim');
    // The failed try is recorded (journal, claim) and the next one scheduled.
    await editor.engine.idle();

    await clock.advance(11 * 60_000, settleWrites);
    const claim = await readClaim(pending.claim);
    assert.ok(claim, 'the claim is still there');
    assert.equal(
      isClaimOwnerGone(claim, clock.now()),
      false,
      `the live editor last wrote its claim ${Math.round((clock.now() - claim.ownerSeenAt) / 1000)} s ago (a heartbeat every ${CLAIM_HEARTBEAT_MS / 1000} s); any other process now takes its task over`,
    );
  });
});
