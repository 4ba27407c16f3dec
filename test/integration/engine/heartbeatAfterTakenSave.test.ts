import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDownloadPending, type JournalEntry } from '../../../src/core/journal/taskState';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { pollPolicyFor } from '../../../src/core/tasks/pollPolicyFor';
import { entryWhen, startEngine, type EngineBed } from '../../helpers/engineBed';
import { FakeClock } from '../../helpers/fakeClock';
import { removeDir, startTestSimulator, tempDir, TEST_TIME_SCALE } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// `kling download` takes a pending download over from a live editor, saves the video and removes the claim. The
// editor's next heartbeat must not write that claim back (in its own name, "completed, download pending"): a claim
// left beside a saved video says a live process is still fetching it.

const LIMIT = { timeout: 30_000 };

async function settleWrites(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a heartbeat after another process saved the video', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 1 });
    dir = await tempDir('heartbeat-taken');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  it('does not write back the claim that kling download removed after saving', LIMIT, async () => {
    const clock = new FakeClock(Date.now());
    // The editor's next try is 15 minutes away (its waits grow to 30).
    const pollPolicy = { ...pollPolicyFor(TEST_TIME_SCALE), firstPollMs: 0, intervalMs: 300_000, maxErrorBackoffMs: 60_000 };
    const editor = await startEngine(sim, path.join(dir, 'editor', 'journal.json'), { tool: 'VS Code', clock, pollPolicy });
    beds.push(editor);
    await editor.engine.start();
    sim.inject({ on: 'download', status: 503, times: 6 });
    const outputPath = path.join(dir, 'videos', 'later.mp4');
    const draft = { ...aVideoDraft(outputPath, { duration: 3 }, 'later'), workspaceRoot: dir };
    const made = await editor.engine.submit(draft);
    // Its polls find it done; its download fails on the CDN's 503s.
    const failed = (e: JournalEntry | undefined) => e !== undefined && isDownloadPending(e) && e.lastError !== undefined;
    for (let i = 0; i < 10 && !failed(editor.journal.get(made.id)); i++) await clock.advance(pollPolicy.intervalMs, settleWrites);
    await entryWhen(editor.journal, made.id, failed);
    await editor.engine.idle();

    const cli = await startEngine(sim, path.join(dir, 'cli', 'journal.json'), { tool: 'kling download' });
    beds.push(cli);
    const followed = await cli.engine.submit(draft, { mayCreate: false });
    await cli.engine.downloadAgain(followed.id);
    const [saved] = await cli.engine.waitFor([followed.id]);
    assert.equal(saved?.state.status, 'saved');
    await cli.close();
    assert.deepEqual((await readdir(path.dirname(outputPath))).filter((n) => n.endsWith('.claim')), [], 'the claim went with the save');

    // A minute later, the editor's heartbeat.
    await clock.advance(61_000, settleWrites);
    await editor.engine.idle();
    const left = (await readdir(path.dirname(outputPath))).filter((n) => n.endsWith('.claim'));
    const what = left.map((n) => { const c = JSON.parse(readFileSync(path.join(path.dirname(outputPath), n), 'utf8')) as { owner: { tool?: string }; entry: { state: { status: string } } }; return `${n}: ${c.owner.tool ?? '?'} ${c.entry.state.status}`; });
    assert.deepEqual(what, [], 'no claim is written back beside the saved video');
    assert.equal(sim.stats().creates, 1);
  });
});
