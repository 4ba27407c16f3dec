/** A create whose answer was lost, and the user who then finds the task on the service: the built CLI as a child process. */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { cliWorkspace, runCli } from '../../helpers/cliRunner';
import { DISTINCT_KEY, startTestSimulator } from '../../helpers/simulatorBed';

// `render` says of a lost create: "Check the service's task list before creating it again (render with --force,
// which may pay twice)". The user checks, and finds the task: it was made, charged, and has completed. Nothing in
// Kling Studio then fetches it: `kling download TASK` answers that the task is not in the journal (the journal holds
// the create, as unknown, without the id the answer would have carried) and `kling download FILE` that no paid task
// is known for the file. The one way to the video left is --force: paying again.

describe('an unknown outcome that becomes known', () => {
  let sim: Simulator | undefined;
  afterEach(() => sim?.close());

  it('kling download with the task id the user found fetches the paid video into its place, creating nothing', async () => {
    sim = await startTestSimulator({ processingSeconds: 5 });
    const ws = cliWorkspace('unknown-known');
    writeFileSync(path.join(ws.dir, 'g.kling.json'), `{ "version": 1, "output": "out", "videos": [ { "name": "gate", "prompt": "A gateway at night", "duration": 3 } ] }\n`);
    const env = { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl };
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } });
    const first = await runCli(['render', 'g.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env });
    assert.match(first.stderr, /\? gate: .*may have been created and charged/i);

    // The user looks at the service's task list: there it is.
    const [task] = sim.tasks();
    assert.ok(task, 'the service made the task');
    const fetched = await runCli(['download', task.id], { cwd: ws.dir, state: ws.state, env });
    assert.equal(fetched.code, 0, `kling download ${task.id}: ${fetched.stdout}${fetched.stderr}`);
    assert.deepEqual(readdirSync(path.join(ws.dir, 'out')).filter((name) => !name.startsWith('.')).sort(), ['gate.mp4', 'gate.mp4.json']);
    assert.equal(sim.stats().creates, 1, 'nothing created again');
  });

  it('a task id the service does not know is refused with what to check, and the unknown create stays as it was', async () => {
    sim = await startTestSimulator({ processingSeconds: 5 });
    const ws = cliWorkspace('unknown-wrong-id');
    writeFileSync(path.join(ws.dir, 'g.kling.json'), `{ "version": 1, "output": "out", "videos": [ { "name": "gate", "prompt": "A gateway at night", "duration": 3 } ] }\n`);
    const env = { KLING_API_KEY: DISTINCT_KEY, KLING_BASE_URL: sim.baseUrl };
    sim.inject({ on: 'create', kind: 'lose-answer', answer: { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } });
    await runCli(['render', 'g.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env });
    const wrong = await runCli(['download', 'task-unified-1700000000-zzzzzzzz'], { cwd: ws.dir, state: ws.state, env });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /does not know task task-unified-1700000000-zzzzzzzz: check the id in its task list/);
    const again = await runCli(['render', 'g.kling.json', '--yes'], { cwd: ws.dir, state: ws.state, env });
    assert.match(again.stderr, /\? gate: .*may have been created and charged/i, 'still unknown, not created again');
    assert.equal(sim.stats().creates, 1);
  });
});
