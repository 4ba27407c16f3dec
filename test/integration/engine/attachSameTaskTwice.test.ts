import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { startEngine, type EngineBed } from '../../helpers/engineBed';
import { removeDir, startTestSimulator, tempDir } from '../../helpers/simulatorBed';
import { aVideoDraft } from '../../helpers/taskDrafts';

// One task the user found can be the create of one video only. Given to two lost creates (two clicks at once, or the
// CLI and the editor, each with its own journal), the same video lands under two names and the other paid task is
// never fetched.

const LIMIT = { timeout: 30_000 };

describe('one found task given to two lost creates', () => {
  let sim: Simulator;
  let dir: string;
  const beds: EngineBed[] = [];

  beforeEach(async () => {
    sim = await startTestSimulator({ processingSeconds: 5 });
    dir = await tempDir('attach-twice');
  });
  afterEach(async () => {
    for (const bed of beds.splice(0)) await bed.close();
    await sim.close();
    await removeDir(dir);
  });

  async function lostCreate(bed: EngineBed, name: string) {
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html', headers: {} } });
    const outputPath = path.join(dir, 'videos', `${name}.mp4`);
    await bed.engine.submit({ ...aVideoDraft(outputPath, { prompt: `A ${name} at dusk` }, name), workspaceRoot: dir }).catch(() => undefined);
    const entry = bed.journal.list().find((e) => e.outputPath === outputPath)!;
    assert.equal(entry.state.status, 'unknown');
    return { entry, task: sim.tasks().at(-1)! };
  }

  it('in one journal, two attaches at once: only one of them takes the task', LIMIT, async () => {
    const bed = await startEngine(sim, path.join(dir, 'state', 'journal.json'));
    beds.push(bed);
    const gate = await lostCreate(bed, 'gate');
    const door = await lostCreate(bed, 'door');
    const results = await Promise.allSettled([bed.engine.attachTask(gate.entry.id, gate.task.id), bed.engine.attachTask(door.entry.id, gate.task.id)]);
    const holders = bed.journal.list().filter((e) => e.taskId === gate.task.id).map((e) => e.label);
    assert.deepEqual(holders, ['gate'], `task ${gate.task.id} was given to ${holders.join(' and ')} (${results.map((r) => r.status).join(', ')})`);
  });

  it('in two journals (the CLI and the editor): the second attach of the same task is refused', LIMIT, async () => {
    const cli = await startEngine(sim, path.join(dir, 'cli-state', 'journal.json'));
    const editor = await startEngine(sim, path.join(dir, 'editor-state', 'journal.json'));
    beds.push(cli, editor);
    const gate = await lostCreate(cli, 'gate');
    const door = await lostCreate(editor, 'door');
    await cli.engine.attachTask(gate.entry.id, gate.task.id);
    await cli.engine.waitFor([gate.entry.id]);
    assert.equal(cli.journal.get(gate.entry.id)?.state.status, 'saved');
    await assert.rejects(editor.engine.attachTask(door.entry.id, gate.task.id), /gate/, 'the task is already the create of videos/gate.mp4');
  });
});
