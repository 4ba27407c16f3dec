import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/core/simulator/simulatorServer';
import { SimulatorStateFile, type StateSource } from '../../../src/core/simulator/simulatorStateFile';
import type { TasksState } from '../../../src/core/simulator/simulatorTasks';
import { call, createTask, elementRequest, getTask, start, videoRequest } from './simulatorHarness';
import { FakeClock } from '../../helpers/fakeClock';

const TIME_SCALE = 10;
const sec = (seconds: number) => seconds * TIME_SCALE;

let work: string;
let files = 0;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kling-simulator-state-'));
});
after(() => rm(work, { recursive: true, force: true }));

/** A state file of its own for each test: two simulators must not share one unless the test is about that. */
function stateFile(): string {
  files += 1;
  return path.join(work, `state-${files}`, 'simulator.json');
}

async function readState(file: string): Promise<{ tasks: Array<{ id: string }>; credits: { granted: string } }> {
  return JSON.parse(await readFile(file, 'utf8'));
}

/** The body a simulator at `from` gave, with its links pointing at `to`: what a restarted simulator must answer. */
function movedTo<T>(body: T, from: Simulator, to: Simulator): T {
  return JSON.parse(JSON.stringify(body).replaceAll(from.baseUrl, to.baseUrl));
}

describe('simulator: state file across restarts', () => {
  it('finds every task on a new server, on a new port, where the clock says it is, with the same video', async () => {
    const file = stateFile();
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const first = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    const done = await createTask(first, videoRequest({ duration: 5 })); // 3 + 20 + 10 s
    const running = await createTask(first, videoRequest({ duration: 10, quality: '1080p', aspect_ratio: '9:16' })); // 3 + 40 s
    const failing = await createTask(first, videoRequest({ prompt: 'A fox [fail:service_error]', duration: 5 })); // fails at 3 + 15 s
    const element = await createTask(first, elementRequest()); // 3 + 10 s
    await clock.advance(sec(35));
    const ids = [done.id, running.id, failing.id, element.id];
    const before = await Promise.all(ids.map((id) => getTask(first, id)));
    assert.deepEqual(before.map((task) => task.status), ['completed', 'processing', 'failed', 'completed']);
    const url: string = before[0].results[0];
    const video = await call(url, 'GET', url);
    assert.equal(video.status, 200);
    const credits = (await call(first.baseUrl, 'GET', '/v1/credits')).json;
    const balance = first.balance();
    await first.close();

    const second = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    try {
      assert.notEqual(second.baseUrl, first.baseUrl);
      const after = await Promise.all(ids.map((id) => getTask(second, id)));
      assert.deepEqual(after, movedTo(before, first, second));
      assert.ok(after[0].results[0].startsWith(`${second.baseUrl}/files/videos/${done.id}.mp4`));
      assert.equal(second.balance(), balance);
      assert.deepEqual((await call(second.baseUrl, 'GET', '/v1/credits')).json, credits);
      assert.deepEqual(second.tasks().map((task) => task.elementId), [undefined, undefined, undefined, before[3].result_data[0].element_id]);

      // The same bytes under the same validators: a download cut before the restart resumes after it.
      const newUrl: string = after[0].results[0];
      const again = await call(newUrl, 'GET', newUrl);
      assert.ok(again.bytes.equals(video.bytes), 'the same bytes');
      for (const header of ['etag', 'last-modified', 'content-length']) assert.equal(again.headers[header], video.headers[header], header);
      const resumed = await call(newUrl, 'GET', newUrl, { headers: { range: 'bytes=1000-', 'if-range': String(video.headers['etag']) } });
      assert.equal(resumed.status, 206);
      assert.ok(resumed.bytes.equals(video.bytes.subarray(1000)));

      // The task that was running goes on from where it was, and completes on the new server.
      assert.equal(after[1].progress, before[1].progress);
      await clock.advance(sec(8));
      const finished = await getTask(second, running.id);
      assert.equal(finished.status, 'completed');
      const runningUrl: string = finished.results[0];
      assert.equal((await call(runningUrl, 'GET', runningUrl)).status, 200);
    } finally {
      await second.close();
    }
  });

  it('keeps the balance that was set, and refunds after the restart a task that fails after it', async () => {
    const file = stateFile();
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const first = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    first.setBalance(500);
    await createTask(first, videoRequest({ prompt: 'A fox [fail:generation_timeout]', duration: 5 }));
    assert.equal(first.balance(), 473);
    await first.close();

    const second = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    assert.equal(second.balance(), 473, 'charged, not yet refunded');
    await clock.advance(sec(20));
    assert.equal(second.balance(), 500, 'refunded when it failed, after the restart');
    await second.close();

    // An explicit starting balance sets the remaining credits over the saved ones, and is saved in turn.
    const third = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file, balanceCredits: 42 });
    const thirdBalance = third.balance();
    await third.close();
    assert.equal(thirdBalance, 42);
    const fourth = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    const fourthBalance = fourth.balance();
    await fourth.close();
    assert.equal(fourthBalance, 42);
  });

  it('says its time scale, and keeps each task at the scale it was created with', async () => {
    const file = stateFile();
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const fast = await start({ now: clock.now, timeScale: 10, stateFile: file });
    assert.equal(fast.timeScale, 10);
    const created = await createTask(fast, videoRequest({ duration: 5 })); // 33 s = 330 ms at this scale
    await clock.advance(200);
    const before = await getTask(fast, created.id);
    await fast.close();

    const slow = await start({ now: clock.now, timeScale: 1000, stateFile: file });
    try {
      assert.equal(slow.timeScale, 1000);
      assert.deepEqual(await getTask(slow, created.id), before);
      await clock.advance(130);
      assert.equal((await getTask(slow, created.id)).status, 'completed');
    } finally {
      await slow.close();
    }
  });

  it('answers a create only once its task is on disk, 50 at once included', async () => {
    const file = stateFile();
    const sim = await start({ stateFile: file });
    try {
      const one = await createTask(sim);
      assert.deepEqual((await readState(file)).tasks.map((task) => task.id), [one.id]);
      const many = await Promise.all(Array.from({ length: 50 }, () => createTask(sim, videoRequest({ duration: 3 }))));
      const saved = new Set((await readState(file)).tasks.map((task) => task.id));
      assert.equal(saved.size, 51);
      assert.ok(many.every((task) => saved.has(task.id)));
      assert.deepEqual(await readdir(path.dirname(file)), ['simulator.json'], 'no temporary file is left behind');
    } finally {
      await sim.close();
    }
  });

  it('starts fresh with a log line from a file it cannot use, and keeps that file aside', async () => {
    const cases: Array<[string, string]> = [
      ['not JSON', '{"format": "kling-simulator-state", "tasks": ['],
      ['another format', JSON.stringify({ format: 'something-else', version: 1, credits: { granted: '1', setAt: 0 }, tasks: [] })],
      ['a later version', JSON.stringify({ format: 'kling-simulator-state', version: 99, credits: { granted: '1', setAt: 0 }, tasks: [] })],
    ];
    for (const [what, text] of cases) {
      const file = stateFile();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      const lines: string[] = [];
      const sim = await start({ stateFile: file, log: (line) => lines.push(line) });
      try {
        assert.equal(lines.length, 1, `${what}: ${lines.join(' | ')}`);
        assert.match(lines[0]!, /starting with no tasks: the state file .* cannot be used .*kept as simulator\.json\.unreadable/);
        assert.equal(await readFile(`${file}.unreadable`, 'utf8'), text, what);
        assert.equal(sim.balance(), 10_000);
        assert.deepEqual(sim.tasks(), []);
        const created = await createTask(sim);
        assert.deepEqual((await readState(file)).tasks.map((task) => task.id), [created.id], `${what}: a fresh file replaces it`);
      } finally {
        await sim.close();
      }
    }
  });

  it('never fails on a state file it cannot read or write: it logs and goes on in memory', async () => {
    const file = stateFile();
    await mkdir(file, { recursive: true }); // a folder where the file should be
    const lines: string[] = [];
    const sim = await start({ stateFile: file, log: (line) => lines.push(line) });
    try {
      assert.match(lines.join('\n'), /starting with no tasks: the state file .* cannot be used/);
      const created = await createTask(sim);
      assert.equal((await getTask(sim, created.id)).id, created.id);
      assert.match(lines.join('\n'), /cannot save the state file/);
    } finally {
      await sim.close();
    }
  });

  it('forgets only the tasks it cannot load, and says which', async () => {
    const file = stateFile();
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const first = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    const kept = await createTask(first);
    await first.close();
    const state = JSON.parse(await readFile(file, 'utf8'));
    const good = state.tasks[0];
    state.tasks.push(
      { ...good, id: 'task-unified-1-badreqst', request: { ...good.request, duration: 99 } },
      { ...good, id: 'not-a-task-id' },
      { ...good, id: 'task-unified-1-noelemid', kind: 'element', request: elementRequest() },
    );
    await writeFile(file, JSON.stringify(state));

    const lines: string[] = [];
    const second = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file, log: (line) => lines.push(line) });
    try {
      assert.deepEqual(second.tasks().map((task) => task.id), [kept.id]);
      const log = lines.join('\n');
      assert.match(log, /3 task\(s\) of the state file .* cannot be loaded/);
      assert.match(log, /task-unified-1-badreqst\): its request is refused now: duration/);
      assert.match(log, /no id|not-a-task-id/);
      assert.match(log, /task-unified-1-noelemid\): an element task without its element id/);
      assert.match(log, /1 task\(s\) loaded/);
    } finally {
      await second.close();
    }
  });

  it('starts fresh and silently from a missing file, making its folder at the first create', async () => {
    const file = stateFile();
    const lines: string[] = [];
    const sim = await start({ stateFile: file, log: (line) => lines.push(line) });
    try {
      assert.deepEqual(lines, []);
      assert.equal(existsSync(file), false, 'nothing is written before something changes');
      await createTask(sim);
      assert.equal((await readState(file)).tasks.length, 1);
    } finally {
      await sim.close();
    }
  });

  it('without a state file, keeps everything in memory as before', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const first = await start({ now: clock.now });
    const created = await createTask(first);
    await first.close();
    const second = await start({ now: clock.now });
    try {
      assert.equal((await call(second.baseUrl, 'GET', `/v1/tasks/${created.id}`)).status, 404);
      assert.equal(second.balance(), 10_000);
    } finally {
      await second.close();
    }
  });

  it('merges what another simulator on the same file wrote, as two VS Code windows would', async () => {
    const file = stateFile();
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
    const one = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    const two = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    const a = await createTask(one);
    const b = await createTask(two);
    await clock.advance(1);
    two.setBalance(1000);
    await two.close(); // waits for the balance to be written
    const c = await createTask(one);
    await one.close();

    const third = await start({ now: clock.now, timeScale: TIME_SCALE, stateFile: file });
    try {
      assert.deepEqual(new Set(third.tasks().map((task) => task.id)), new Set([a.id, b.id, c.id]));
      assert.equal(third.balance(), 1000 - 27, 'the balance set last, less the task created after it');
    } finally {
      await third.close();
    }
  });
});

describe('SimulatorStateFile', () => {
  it('coalesces saves: those asked for before a write looks at the state share it, later ones share the next', async () => {
    const file = stateFile();
    const state: TasksState = { granted: 0 as TasksState['granted'], balanceSetAt: 0, tasks: [] };
    let snapshots = 0;
    let afterSnapshot: Array<Promise<void>> = [];
    let secondWriteSeen = false;
    const source: StateSource = {
      state: () => {
        snapshots += 1;
        if (snapshots === 1) {
          // Changes made just after the first write took its snapshot.
          afterSnapshot = Array.from({ length: 20 }, () => store.save().then(() => assert.ok(secondWriteSeen, 'resolved after the write that has it')));
        }
        if (snapshots === 2) secondWriteSeen = true;
        return state;
      },
      merge: () => undefined,
      has: () => false,
    };
    const store: SimulatorStateFile = new SimulatorStateFile(file, source, () => 0, (line) => assert.fail(line));
    await Promise.all(Array.from({ length: 50 }, () => store.save()));
    await Promise.all(afterSnapshot);
    assert.equal(afterSnapshot.length, 20);
    assert.equal(snapshots, 2, '70 saves, two writes');
    await store.flush();
    assert.deepEqual(await readdir(path.dirname(file)), ['simulator.json']);
    assert.equal((await readState(file)).tasks.length, 0);
  });
});
