import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// A create whose answer was lost is "unknown": nothing sends it again on its own. The user who then finds its task in
// the service's list gives the entry that id (kling download TASK_ID, the Tasks view's Attach Task ID…): the entry is
// followed to its end and saved, and nothing is created. Each way that cannot be right is refused, saying why.

const LIMIT = { timeout: 30_000 };

describe('attaching a task the user found to a create whose outcome is unknown', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 5 });
    dir = await tempDir('attach-task');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  async function lostCreate(name: string) {
    const bed = beds[0] ?? (await startEngine(sim, path.join(dir, 'state', 'journal.json')));
    if (!beds.includes(bed)) beds.push(bed);
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html', headers: {} } });
    const outputPath = path.join(dir, 'videos', `${name}.mp4`);
    await bed.engine.submit({ ...aVideoDraft(outputPath, { prompt: `A ${name} at dusk` }, name), workspaceRoot: dir }).catch(() => undefined);
    const entry = bed.journal.list().find((e) => e.outputPath === outputPath)!;
    assert.equal(entry.state.status, 'unknown');
    return { bed, entry, outputPath, task: sim.tasks().at(-1)! };
  }

  it('the found task is followed and saved where the video goes, created once', LIMIT, async () => {
    const { bed, entry, outputPath, task } = await lostCreate('gate');
    await bed.engine.attachTask(entry.id, task.id);
    const [ended] = await bed.engine.waitFor([entry.id]);
    assert.equal(ended?.state.status, 'saved', JSON.stringify(ended?.state));
    assert.equal(ended?.taskId, task.id);
    assert.deepEqual((await readdir(path.dirname(outputPath))).sort(), ['.takes', 'gate.mp4', 'gate.mp4.json'], 'saved as a take, and chosen');
    assert.equal(sim.stats().creates, 1);
  });

  it('refuses an id the service does not know, an id another entry has, and an entry that is not unknown', LIMIT, async () => {
    const first = await lostCreate('gate');
    await assert.rejects(first.bed.engine.attachTask(first.entry.id, 'task-unified-1700000000-zzzzzzzz'), /does not know task task-unified-1700000000-zzzzzzzz/);
    assert.equal(first.bed.journal.get(first.entry.id)?.state.status, 'unknown', 'the entry is left as it was');

    const second = await lostCreate('door');
    await first.bed.engine.attachTask(first.entry.id, first.task.id);
    await assert.rejects(first.bed.engine.attachTask(second.entry.id, first.task.id), /already known here, as gate/);
    await assert.rejects(first.bed.engine.attachTask(first.entry.id, second.task.id), /Only a create whose outcome is unknown/);
    // Another video's task (10 s, where this create asked 5 s), made by someone else: not put under this name.
    const other = await first.bed.client.createTask({ ...aVideoDraft(path.join(dir, 'x.mp4'), { duration: 10, prompt: 'Another video' }).request } as never);
    await assert.rejects(first.bed.engine.attachTask(second.entry.id, other.id), new RegExp(`Task ${other.id} is not the one this create made: it is 10 s long, this create asked 5 s`));
    assert.equal(first.bed.journal.get(second.entry.id)?.state.status, 'unknown');
    await first.bed.engine.waitFor([first.entry.id]);
    assert.equal(sim.stats().creates, 3, 'nothing created by any of it (the third is the other video)');
  });
});
